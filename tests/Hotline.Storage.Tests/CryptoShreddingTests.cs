using Hotline.Domain;
using LiteDB;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

/// <summary>
/// After a purge, no file in the data directory holds the request's wrapped data key, and no
/// sequence of bytes anywhere in them unwraps into a data key for it under the master key: whatever
/// sealed bytes of it remain can no longer be opened by anyone, the master key's holder included.
/// </summary>
public sealed class CryptoShreddingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Purge_LeavesNoWrappedKeyAndNoOpenableCopyInAnyFile()
    {
        using var directory = new TempDirectory();
        string purgedId;
        string keptId;
        using (var store = TestStore.InDirectory(directory.Path))
        {
            purgedId = (await store.SubmitAsync(TestData.Submission("shred", "to be shredded"), CancellationToken.None).DefaultTimeout()).RequestId;
            keptId = (await store.SubmitAsync(TestData.Submission("keep", "to be kept"), CancellationToken.None).DefaultTimeout()).RequestId;
            await store.ExecuteAsync(purgedId, new AddNoteCommand(TestData.Operator(1), "a note"), CancellationToken.None).DefaultTimeout();
        }
        var (wrapped, message) = Capture(directory.Path, purgedId);
        var before = RawFiles.ReadAll(directory.Path);
        Assert.NotEmpty(RawFiles.FilesContaining(before, wrapped));
        Assert.Single(UnwrappableWindows(before, purgedId));

        var listener = new RecordingListener();
        using (var store = TestStore.InDirectory(directory.Path, listener))
        {
            Assert.True(await store.PurgeAsync(purgedId, "admin", CancellationToken.None).DefaultTimeout());
            Assert.False(await store.PurgeAsync(purgedId, "admin", CancellationToken.None).DefaultTimeout());
            Assert.Null(await store.GetAsync(purgedId, TestData.Reader, CancellationToken.None).DefaultTimeout());
            Assert.NotNull(await store.GetAsync(keptId, TestData.Reader, CancellationToken.None).DefaultTimeout());
            var deleted = Assert.Single(listener.Changes);
            Assert.Equal(ChangeKind.Deleted, deleted.Kind);
            Assert.Null(deleted.Request);
            var replay = await store.ReadChangesAsync(1, 100, CancellationToken.None).DefaultTimeout();
            Assert.DoesNotContain(replay.Changes, c => c.RequestId == purgedId && c.Kind != ChangeKind.Deleted);
        }

        var after = RawFiles.ReadAll(directory.Path);
        var blobFound = RawFiles.FilesContaining(after, message);
        output.WriteLine($"wrapped key ({wrapped.Length} B) before purge in: {string.Join(", ", RawFiles.FilesContaining(before, wrapped).Select(Path.GetFileName))}; " +
            $"after: {RawFiles.FilesContaining(after, wrapped).Count} files; sealed message blob ({message.Length} B) still in {blobFound.Count} files");
        Assert.Empty(RawFiles.FilesContaining(after, wrapped));
        // The proof that holds whatever LiteDB left behind: no window of any file unwraps into a data
        // key bound to this request, so the sealed message (wherever it is) has no key left to open it.
        Assert.Empty(UnwrappableWindows(after, purgedId));
    }

    [Fact]
    public async Task Purge_OfARequestWhoseKeyIsOnlyInLiteDbsLog_LeavesNoOpenableCopyInAnyFile()
    {
        using var directory = new TempDirectory();
        using var store = TestStore.InDirectory(directory.Path);
        var purgedId = (await store.SubmitAsync(TestData.Submission("shred-live", "to be shredded"), CancellationToken.None).DefaultTimeout()).RequestId;
        var keptId = (await store.SubmitAsync(TestData.Submission("keep-live", "to be kept"), CancellationToken.None).DefaultTimeout()).RequestId;

        // A batch is made durable by flushing LiteDB's log; nothing has been folded into the data file since the open.
        var before = UnwrappableWindows(RawFiles.ReadAll(directory.Path), purgedId);
        Assert.Contains(before, w => w.StartsWith("hotline-log.db@", StringComparison.Ordinal));
        Assert.DoesNotContain(before, w => w.StartsWith("hotline.db@", StringComparison.Ordinal));

        Assert.True(await store.PurgeAsync(purgedId, "admin", CancellationToken.None).DefaultTimeout());

        // Read while the store is still open: the purge's own checkpoint, not a clean close, removed the key.
        var after = RawFiles.ReadAll(directory.Path);
        Assert.Empty(UnwrappableWindows(after, purgedId));
        Assert.NotEmpty(UnwrappableWindows(after, keptId));
        Assert.NotNull(await store.GetAsync(keptId, TestData.Reader, CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public async Task PurgeInterruptedAfterTheKeysWentAway_IsFinishedAtTheNextOpen()
    {
        using var directory = new TempDirectory();
        string id;
        using (var store = TestStore.InDirectory(directory.Path))
        {
            id = (await store.SubmitAsync(TestData.Submission("half"), CancellationToken.None).DefaultTimeout()).RequestId;
        }
        // What the first transaction of a purge leaves when the process dies before the second.
        using (var db = new LiteDatabase(Path.Combine(directory.Path, "hotline.db")))
        {
            Assert.True(db.GetCollection(DataKeyDocument.Collection).Delete(id));
            PurgeInProgress.Write(db.GetCollection(StoreCounters.Collection), [id]);
        }

        var listener = new RecordingListener();
        using (var store = TestStore.InDirectory(directory.Path, listener))
        {
            Assert.Null(await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout());
            Assert.Equal(ChangeKind.Deleted, Assert.Single(listener.Changes).Kind);
            var workingSet = await store.ReadWorkingSetAsync();
            Assert.Empty(workingSet.Requests);
        }
        using var raw = new LiteDatabase(Path.Combine(directory.Path, "hotline.db"));
        Assert.Null(raw.GetCollection(RequestDocument.Collection).FindById(id));
        Assert.Empty(PurgeInProgress.Read(raw.GetCollection(StoreCounters.Collection)));
    }

    /// <summary>The wrapped data key and the sealed message of a request, read from the stopped store's file.</summary>
    private static (byte[] Wrapped, byte[] Message) Capture(string directory, string requestId)
    {
        using var db = new LiteDatabase(Path.Combine(directory, "hotline.db"));
        var wrapped = DataKeyDocument.Wrapped(db.GetCollection(DataKeyDocument.Collection).FindById(requestId));
        var message = db.GetCollection(RequestDocument.Collection).FindById(requestId)["message"].AsBinary;
        return (wrapped, message);
    }

    /// <summary>Every offset, in every file, where a wrapped key's worth of bytes unwraps for <paramref name="requestId"/>.</summary>
    private static List<string> UnwrappableWindows(IReadOnlyList<(string Path, byte[] Bytes)> files, string requestId)
    {
        using var ring = KeyRing.Derive(TestStore.MasterKey);
        var length = FieldCipher.Overhead + KeyRing.DataKeyLength;
        var found = new List<string>();
        foreach (var (path, bytes) in files)
        {
            for (var offset = 0; offset + length <= bytes.Length; offset++)
            {
                if (bytes[offset] == FieldCipher.Version && ring.UnwrapDataKey(requestId, bytes.AsSpan(offset, length)) is not null)
                {
                    found.Add($"{Path.GetFileName(path)}@{offset}");
                }
            }
        }
        return found;
    }
}
