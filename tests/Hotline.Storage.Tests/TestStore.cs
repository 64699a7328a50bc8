using Hotline.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Storage.Tests;

/// <summary>Opens stores for tests, each on its own streams or its own temporary directory.</summary>
internal static class TestStore
{
    public static LiteDbRequestStore InMemory(IChangeListener? listener = null, RequestStoreOptions? options = null,
        TimeProvider? time = null, ILogger? logger = null) =>
        LiteDbRequestStore.OpenOnStream(new MemoryStream(), logStream: null, options ?? new RequestStoreOptions(),
            time ?? new FakeTimeProvider(TestData.Start), listener ?? NoChangeListener.Instance, logger ?? NullLogger.Instance);

    public static LiteDbRequestStore OnStreams(MemoryStream data, MemoryStream? log, IChangeListener? listener = null,
        TimeProvider? time = null) =>
        LiteDbRequestStore.OpenOnStream(data, log, new RequestStoreOptions(), time ?? new FakeTimeProvider(TestData.Start),
            listener ?? NoChangeListener.Instance, NullLogger.Instance);

    public static LiteDbRequestStore InDirectory(string directory, IChangeListener? listener = null, RequestStoreOptions? options = null,
        TimeProvider? time = null) =>
        LiteDbRequestStore.Open(directory, options ?? new RequestStoreOptions(), time ?? new FakeTimeProvider(TestData.Start),
            listener ?? NoChangeListener.Instance, NullLogger.Instance);
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
