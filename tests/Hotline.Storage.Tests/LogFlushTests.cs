using LiteDB;

namespace Hotline.Storage.Tests;

/// <summary>
/// A batch is acknowledged once LiteDB's log is flushed, without a checkpoint per batch; the log is
/// folded into the data file once it passes <see cref="RequestStoreOptions.CheckpointLogBytes"/>
/// (and whenever the data file alone must hold everything: a purge, a snapshot, a clean close).
/// The order of the writes themselves (log on disk before any checkpoint touches the data file) is
/// checked under strace by the server's CheckpointOrderTests.
/// </summary>
public sealed class LogFlushTests
{
    private const string DataFile = LiteDbRequestStore.DatabaseFileName;
    private const string LogFile = "hotline-log.db";

    [Fact]
    public async Task AcknowledgedSubmit_IsInTheLogOnly_AndACopyOfBothFilesTakenThenHasIt()
    {
        using var directory = new TempDirectory();
        using var crashed = new TempDirectory();
        using var dataOnly = new TempDirectory();
        using var store = TestStore.InDirectory(directory.Path);
        var receipt = await store.SubmitAsync(TestData.Submission("in-the-log", "kept by the log"), CancellationToken.None).DefaultTimeout();

        // What a crash right after the answer leaves: both files as they are, nothing closed.
        var data = RawFiles.ReadShared(Path.Combine(directory.Path, DataFile));
        var log = RawFiles.ReadShared(Path.Combine(directory.Path, LogFile));
        Assert.NotEmpty(log);
        Directory.CreateDirectory(crashed.Path);
        await File.WriteAllBytesAsync(Path.Combine(crashed.Path, DataFile), data);
        await File.WriteAllBytesAsync(Path.Combine(crashed.Path, LogFile), log);
        Directory.CreateDirectory(dataOnly.Path);
        await File.WriteAllBytesAsync(Path.Combine(dataOnly.Path, DataFile), data);

        using (var reopened = TestStore.InDirectory(crashed.Path))
        {
            var found = await reopened.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout();
            Assert.Equal("kept by the log", found?.Message);
        }
        // The data file alone does not have it: the answer did not wait for a checkpoint.
        using (var withoutLog = TestStore.InDirectory(dataOnly.Path))
        {
            Assert.Null(await withoutLog.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout());
        }
    }

    [Fact]
    public async Task LogPastTheThreshold_IsFoldedIntoTheDataFile_AndStaysBounded()
    {
        const long threshold = 256 * 1024;
        using var directory = new TempDirectory();
        var options = new RequestStoreOptions { CheckpointLogBytes = threshold };
        var ids = new List<string>();
        var lengths = new List<long>();
        using (var store = TestStore.InDirectory(directory.Path, options: options))
        {
            for (var i = 0; i < 40; i++)
            {
                ids.Add((await store.SubmitAsync(TestData.Submission("bounded-" + i), CancellationToken.None).DefaultTimeout()).RequestId);
                lengths.Add(new FileInfo(Path.Combine(directory.Path, LogFile)).Length);
            }
            // Each answer comes before its batch's checkpoint; one more write waits behind it.
            await store.SubmitAsync(TestData.Submission("bounded-last"), CancellationToken.None).DefaultTimeout();
        }
        // Some checkpoint emptied the log between two answers, and none let it run far past the threshold.
        Assert.Contains(Enumerable.Range(1, lengths.Count - 1), i => lengths[i] < lengths[i - 1]);
        Assert.All(lengths, length => Assert.InRange(length, 0, threshold + (1024 * 1024)));
        Assert.Contains(lengths, length => length > 0);

        using var reopened = TestStore.InDirectory(directory.Path, options: options);
        foreach (var id in ids)
        {
            Assert.NotNull(await reopened.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout());
        }
    }

    [Fact]
    public async Task ZeroThreshold_CheckpointsBeforeEveryAnswer()
    {
        using var directory = new TempDirectory();
        using var store = TestStore.InDirectory(directory.Path, options: new RequestStoreOptions { CheckpointLogBytes = 0 });
        for (var i = 0; i < 5; i++)
        {
            await store.SubmitAsync(TestData.Submission("every-batch-" + i), CancellationToken.None).DefaultTimeout();
            Assert.Equal(0, new FileInfo(Path.Combine(directory.Path, LogFile)).Length);
        }
    }

    [Fact]
    public async Task Snapshot_IsTakenAfterAFold_SoTheCopiedDataFileAloneHoldsEveryAcknowledgedWrite()
    {
        using var directory = new TempDirectory();
        using var copy = new TempDirectory();
        Directory.CreateDirectory(copy.Path);
        string id;
        using (var store = TestStore.InDirectory(directory.Path))
        {
            id = (await store.SubmitAsync(TestData.Submission("in-the-copy"), CancellationToken.None).DefaultTimeout()).RequestId;
            Assert.NotEqual(0, new FileInfo(Path.Combine(directory.Path, LogFile)).Length);
            await using var file = new FileStream(Path.Combine(copy.Path, DataFile), FileMode.CreateNew);
            await store.CopyDatabaseAsync(file, CancellationToken.None).DefaultTimeout();
        }
        Assert.False(File.Exists(Path.Combine(copy.Path, LogFile)));
        using var fromCopy = TestStore.InDirectory(copy.Path);
        Assert.NotNull(await fromCopy.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public void LiteDbsOwnCheckpoints_AreSwitchedOff_SoNoneSkipsTheLogFlush()
    {
        using var directory = new TempDirectory();
        TestStore.InDirectory(directory.Path).Dispose();
        using var raw = new LiteDatabase(Path.Combine(directory.Path, DataFile));
        Assert.Equal(0, raw.Pragma("CHECKPOINT").AsInt32);
    }
}
