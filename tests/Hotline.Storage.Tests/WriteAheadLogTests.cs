using LiteDB;

namespace Hotline.Storage.Tests;

/// <summary>
/// A store in a data directory makes each batch durable by flushing LiteDB's log file, not by a
/// checkpoint, and checkpoints only once the log has grown past its limit.
/// </summary>
public sealed class WriteAheadLogTests
{
    private const string LogFile = "hotline-log.db";

    [Fact]
    public async Task ListenerCall_EveryChangeIsInTheDataAndLogFilesWithoutACheckpoint()
    {
        using var directory = new TempDirectory();
        using var copies = new TempDirectory();
        var listener = new RecordingListener();
        var missing = new List<long>();
        var logLengths = new List<long>();
        var copy = 0;
        // The writer is inside the listener, so nothing writes to the files while they are copied.
        listener.Inspect = changes =>
        {
            var target = Path.Combine(copies.Path, (copy++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(target);
            foreach (var file in new[] { DataDirectory.DatabaseFileName, LogFile })
            {
                File.Copy(Path.Combine(directory.Path, file), Path.Combine(target, file));
            }
            logLengths.Add(new FileInfo(Path.Combine(target, LogFile)).Length);
            using var copied = new LiteDatabase(new ConnectionString { Filename = Path.Combine(target, DataDirectory.DatabaseFileName), Collation = Collation.Binary });
            var requests = copied.GetCollection(RequestDocument.Collection);
            missing.AddRange(changes.Where(c => requests.FindById(c.RequestId)?[RequestDocument.RevisionField].AsInt64 != c.Revision).Select(c => c.Revision));
        };
        using var store = TestStore.InDirectory(directory.Path, listener);
        for (var i = 0; i < 5; i++)
        {
            var receipt = await store.SubmitAsync(TestData.Submission("w-" + i), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(receipt.RequestId, new Domain.AssignCommand(TestData.Operator(1), TestData.Operator(1)), CancellationToken.None)
                .DefaultTimeout();
        }

        listener.WaitForRevision(10);
        Assert.Equal(10, listener.Changes.Count);
        Assert.Empty(missing);
        // The log kept growing: no batch was checkpointed, each was made durable by the log alone.
        Assert.Equal(logLengths.Order(), logLengths);
        Assert.True(logLengths[0] > 0);
    }

    [Fact]
    public async Task LogPastItsLimit_IsCheckpointedAndEverythingSurvivesReopening()
    {
        using var directory = new TempDirectory();
        const long limit = 256 * 1024;
        var receipts = new List<Domain.IntakeReceipt>();
        var longest = 0L;
        using (var store = TestStore.InDirectory(directory.Path, options: new RequestStoreOptions { CheckpointLogBytes = limit }))
        {
            for (var i = 0; i < 60; i++)
            {
                receipts.Add(await store.SubmitAsync(TestData.Submission("c-" + i), CancellationToken.None).DefaultTimeout());
                longest = Math.Max(longest, new FileInfo(Path.Combine(directory.Path, LogFile)).Length);
            }
        }

        // One batch may take the log past the limit; the checkpoint after it brings it back to empty.
        Assert.InRange(longest, 1, 2 * limit);
        using var reopened = TestStore.InDirectory(directory.Path);
        Assert.Equal(receipts.Count, reopened.CommittedRevision);
        foreach (var receipt in receipts)
        {
            Assert.Equal(receipt.Number, (await reopened.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())?.Number);
        }
    }
}
