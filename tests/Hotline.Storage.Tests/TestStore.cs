using Hotline.Domain;
using LiteDB;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Storage.Tests;

/// <summary>Opens stores for tests, each on its own streams or its own temporary directory.</summary>
internal static class TestStore
{
    /// <summary>The master key every test store is sealed with, unless a test says otherwise.</summary>
    public static byte[] MasterKey => [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 7))];

    public static LiteDbRequestStore InMemory(IChangeListener? listener = null, RequestStoreOptions? options = null,
        TimeProvider? time = null, ILogger? logger = null) =>
        LiteDbRequestStore.OpenOnStream(new MemoryStream(), logStream: null, options ?? new RequestStoreOptions(),
            time ?? new FakeTimeProvider(TestData.Start), listener ?? NoChangeListener.Instance, logger ?? NullLogger.Instance, MasterKey);

    public static LiteDbRequestStore OnStreams(MemoryStream data, MemoryStream? log, IChangeListener? listener = null,
        TimeProvider? time = null) =>
        LiteDbRequestStore.OpenOnStream(data, log, new RequestStoreOptions(), time ?? new FakeTimeProvider(TestData.Start),
            listener ?? NoChangeListener.Instance, NullLogger.Instance, MasterKey);

    public static LiteDbRequestStore InDirectory(string directory, IChangeListener? listener = null, RequestStoreOptions? options = null,
        TimeProvider? time = null, byte[]? masterKey = null, bool withoutKey = false, ILogger? logger = null) =>
        LiteDbRequestStore.Open(directory, options ?? new RequestStoreOptions(), time ?? new FakeTimeProvider(TestData.Start),
            listener ?? NoChangeListener.Instance, logger ?? NullLogger.Instance, withoutKey ? null : masterKey ?? MasterKey);

    /// <summary>
    /// Writes a request the way the store would (sealed, with a fresh wrapped data key), for tests
    /// that build a database with raw LiteDB.
    /// </summary>
    public static void WriteSealed(LiteDatabase db, HelpRequest request, bool update = false)
    {
        using var ring = KeyRing.Derive(MasterKey);
        var (dataKey, wrapped) = ring.NewDataKey(request.Id);
        db.GetCollection(DataKeyDocument.Collection).Upsert(DataKeyDocument.ToBson(request.Id, wrapped));
        using var sealer = new RequestSealer(request.Id, dataKey);
        var doc = RequestDocument.ToBson(request, sealer, requester: null);
        var requests = db.GetCollection(RequestDocument.Collection);
        Assert.True(update ? requests.Update(doc) : requests.Insert(doc) is not null);
    }
}

/// <summary>A fresh directory under the system temp folder, deleted with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hotline-storage-" + Guid.NewGuid().ToString("N"));

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
