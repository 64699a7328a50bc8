using System.Diagnostics;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

public sealed class GroupCommitTests(ITestOutputHelper output)
{
    private const int Submits = 1_000;

    [Fact]
    public async Task ThousandQueuedSubmits_CommitInFewBatchesAndAllSurviveReopen()
    {
        using var directory = new TempDirectory();
        var listener = new RecordingListener();
        var receipts = new List<Hotline.Domain.IntakeReceipt>();
        var options = new RequestStoreOptions { MaxBatchSize = 256 };
        using (var store = TestStore.InDirectory(directory.Path, listener, options))
        {
            // Hold the writer inside the listener so all the submits are waiting when it comes back.
            listener.HoldNextBatch();
            var warmUp = store.SubmitAsync(TestData.Submission("warm-up"), CancellationToken.None);
            listener.WaitUntilHolding();
            var before = store.BatchCount;
            var stopwatch = Stopwatch.StartNew();

            var submits = Enumerable.Range(0, Submits)
                .Select(i => store.SubmitAsync(TestData.Submission("bulk-" + i), CancellationToken.None))
                .ToArray();
            listener.Release();
            receipts.AddRange(await Task.WhenAll(submits).DefaultTimeout());
            await warmUp.DefaultTimeout();

            var batches = store.BatchCount - before;
            listener.WaitForRevision(Submits + 1);
            output.WriteLine($"queued submits: {Submits}, batches: {batches} (max batch {options.MaxBatchSize}), " +
                $"elapsed: {stopwatch.ElapsedMilliseconds} ms, listener batch sizes: {string.Join(",", listener.BatchSizes)}");
            Assert.Equal((Submits + options.MaxBatchSize - 1) / options.MaxBatchSize, batches);
        }
        Assert.Equal(Submits, receipts.Select(r => r.Number).Distinct().Count());

        using var reopened = TestStore.InDirectory(directory.Path);
        Assert.Equal(Submits + 1, reopened.CommittedRevision);
        foreach (var receipt in receipts)
        {
            var stored = await reopened.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout();
            Assert.Equal(receipt.Number, stored!.Number);
        }
    }

    [Fact]
    public async Task ConcurrentSubmitsFromManyThreads_AreBatchedAndAllStored()
    {
        using var store = TestStore.InMemory();
        var stopwatch = Stopwatch.StartNew();
        var submits = Enumerable.Range(0, Submits)
            .Select(i => Task.Run(() => store.SubmitAsync(TestData.Submission("concurrent-" + i), CancellationToken.None)))
            .ToArray();
        var receipts = await Task.WhenAll(submits).DefaultTimeout();

        output.WriteLine($"concurrent submits: {Submits}, batches: {store.BatchCount}, elapsed: {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(Enumerable.Range(1, Submits).Select(n => (long)n), receipts.Select(r => r.Number).Order());
        Assert.True(store.BatchCount <= Submits);
        // Counted exactly for open states only (see ListRequestsResponse.total_size); every submission is NEW.
        var newRequests = new Hotline.Domain.FilterTerm(Hotline.Domain.FilterField.State, Negated: false, ["New"]);
        var page = await store.ListAsync(new Hotline.Domain.RequestQuery { Terms = [newRequests], Limit = 0 }, TestData.Reader, CancellationToken.None)
            .DefaultTimeout();
        Assert.Equal(Submits, page.TotalSize);
    }

    [Fact]
    public async Task AuditedReadsQueuedBehindTheWriter_ShareOneTransactionAndOneFlushWithASubmit()
    {
        const int Reads = 50;
        using var directory = new TempDirectory();
        var listener = new RecordingListener();
        using var store = TestStore.InDirectory(directory.Path, listener);
        var target = await store.SubmitAsync(TestData.Submission("read-me"), CancellationToken.None).DefaultTimeout();
        listener.WaitForRevision(1);
        listener.HoldNextBatch();
        var holding = store.SubmitAsync(TestData.Submission("hold"), CancellationToken.None);
        listener.WaitUntilHolding();
        var before = store.BatchCount;

        // Each read is served from the caller's thread, then waits for its audit record in the writer's queue.
        var reads = Enumerable.Range(0, Reads)
            .Select(i => store.GetAsync(target.RequestId, "reader-" + (i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None))
            .ToArray();
        var submit = store.SubmitAsync(TestData.Submission("alongside"), CancellationToken.None);
        listener.Release();
        var read = await Task.WhenAll(reads).DefaultTimeout();
        await Task.WhenAll(holding, submit).DefaultTimeout();

        Assert.All(read, r => Assert.Equal(target.Number, r!.Number));
        Assert.Equal(1, store.BatchCount - before);
        var audit = await store.ListAuditAsync(target.RequestId, 0, 1_000, CancellationToken.None).DefaultTimeout();
        Assert.Equal(Reads, audit.Records.Count(r => r.Action == Hotline.Domain.AuditAction.Read));
    }
}
