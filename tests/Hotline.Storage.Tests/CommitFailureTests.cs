using Hotline.Domain;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

public sealed class CommitFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TransactionFailsAndRollsBack_ThatWholeBatchFailsAndTheStoreKeepsWorking()
    {
        var listener = new RecordingListener();
        var data = new MemoryStream();
        IReadOnlyList<IntakeReceipt> kept;
        using (var store = TestStore.OnStreams(data, log: null, listener))
        {
            var before = await store.SubmitAsync(TestData.Submission("before"), CancellationToken.None).DefaultTimeout();
            listener.HoldNextBatch();
            var warmUp = store.SubmitAsync(TestData.Submission("warm-up"), CancellationToken.None);
            listener.WaitUntilHolding();

            // Bigger than LiteDB's 16 MB document limit: the insert throws inside the transaction.
            var oversized = store.SubmitAsync(TestData.Submission("oversized", new string('x', 17_000_000)), CancellationToken.None);
            var sameBatch = store.SubmitAsync(TestData.Submission("same-batch"), CancellationToken.None);
            listener.Release();
            await warmUp.DefaultTimeout();

            await Assert.ThrowsAsync<LiteDB.LiteException>(() => oversized.DefaultTimeout());
            await Assert.ThrowsAsync<LiteDB.LiteException>(() => sameBatch.DefaultTimeout());
            Assert.Equal(2, store.CommittedRevision);
            Assert.False(store.WritesFailed);

            var retried = await store.SubmitAsync(TestData.Submission("same-batch"), CancellationToken.None).DefaultTimeout();

            Assert.False(retried.Duplicate);
            Assert.Equal(3, retried.Number);
            Assert.Equal(3, store.CommittedRevision);
            kept = [before, await warmUp, retried];
        }
        await AssertAllStoredAsync(data, kept);
    }

    [Fact]
    public async Task LogWriteFails_CallerGetsTheErrorNothingAcknowledgedIsLostAndTheProcessSurvives()
    {
        var data = new MemoryStream();
        var log = new FailingStream();
        var kept = new List<IntakeReceipt>();
        using (var store = Open(data, log))
        {
            kept.Add(await store.SubmitAsync(TestData.Submission("before"), CancellationToken.None).DefaultTimeout());

            log.FailNextWrites = 1;
            var during = await Assert.ThrowsAnyAsync<Exception>(() =>
                store.SubmitAsync(TestData.Submission("during"), CancellationToken.None).DefaultTimeout());

            // Whether LiteDB can roll back after a refused log write depends on which page was refused.
            if (store.WritesFailed)
            {
                // Not rolled back either: the caller hears what every later writer hears until the restart.
                var failed = Assert.IsType<DomainException>(during);
                Assert.Equal(ErrorKind.Unavailable, failed.Kind);
                Assert.Equal("STORAGE_FAILED", failed.Reason);
                var refused = await Assert.ThrowsAsync<DomainException>(() =>
                    store.SubmitAsync(TestData.Submission("after"), CancellationToken.None).DefaultTimeout());
                Assert.Equal(ErrorKind.Unavailable, refused.Kind);
                Assert.Equal("STORAGE_FAILED", refused.Reason);
            }
            else
            {
                // Rolled back: the caller hears UNAVAILABLE STORAGE_FAILED, and so does the next
                // writer until one is let through to try the disk again.
                var rolledBack = Assert.IsType<DomainException>(during);
                Assert.Equal(ErrorKind.Unavailable, rolledBack.Kind);
                Assert.Equal("STORAGE_FAILED", rolledBack.Reason);
                Assert.True(store.DiskRefusesWrites);
                await Task.Delay(StoreWriter.DiskRetryInterval + TimeSpan.FromMilliseconds(100));
                kept.Add(await store.SubmitAsync(TestData.Submission("after"), CancellationToken.None).DefaultTimeout());
                Assert.False(store.DiskRefusesWrites);
            }
            output.WriteLine($"after one refused log write the store {(store.WritesFailed ? "refuses writes until restarted" : "kept working")}");
            if (store.WritesFailed)
            {
                // A read of request content is served only once its audit record is on disk: none can be now.
                var unaudited = await Assert.ThrowsAsync<DomainException>(() =>
                    store.GetAsync(kept[0].RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout());
                Assert.Equal("STORAGE_FAILED", unaudited.Reason);
            }
            else
            {
                Assert.NotNull(await store.GetAsync(kept[0].RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout());
            }
        }
        // LiteDB finalizes a broken transaction by throwing on the finalizer thread; this would end the test run.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        await AssertAllStoredAsync(data, kept);
    }

    private static LiteDbRequestStore Open(MemoryStream data, MemoryStream log) =>
        LiteDbRequestStore.OpenOnStream(data, log, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance, NullLogger.Instance,
            TestStore.MasterKey);

    private static async Task AssertAllStoredAsync(MemoryStream data, IReadOnlyList<IntakeReceipt> receipts)
    {
        using var reopened = TestStore.OnStreams(data, log: null);
        Assert.Equal(receipts.Count, reopened.CommittedRevision);
        foreach (var receipt in receipts)
        {
            Assert.Equal(receipt.Number, (await reopened.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())?.Number);
        }
    }

    /// <summary>A log file on a disk that can be made to refuse writes.</summary>
    private sealed class FailingStream : MemoryStream
    {
        public const string Message = "simulated write failure";

        private int _failNextWrites;

        public int FailNextWrites
        {
            get => Volatile.Read(ref _failNextWrites);
            set => Volatile.Write(ref _failNextWrites, value);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            ThrowIfFailing();
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            ThrowIfFailing();
            base.Write(buffer);
        }

        private void ThrowIfFailing()
        {
            if (Interlocked.Decrement(ref _failNextWrites) >= 0)
            {
                throw new IOException(Message);
            }
            Interlocked.Exchange(ref _failNextWrites, 0);
        }
    }
}
