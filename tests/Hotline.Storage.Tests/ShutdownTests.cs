using Hotline.Domain;

namespace Hotline.Storage.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Dispose_FinishesQueuedWritesThenRefusesNewOnes()
    {
        var data = new MemoryStream();
        var listener = new RecordingListener();
        var store = TestStore.OnStreams(data, log: null, listener);
        listener.HoldNextBatch();
        var warmUp = store.SubmitAsync(TestData.Submission("warm-up"), CancellationToken.None);
        listener.WaitUntilHolding();
        var queued = Enumerable.Range(0, 20).Select(i => store.SubmitAsync(TestData.Submission("q-" + i), CancellationToken.None)).ToList();

        var disposing = Task.Run(store.Dispose);
        // Keep submitting until the store says it is shutting down; whatever got in before that must complete.
        DomainException? refusal = null;
        while (refusal is null)
        {
            var attempt = store.SubmitAsync(TestData.Submission("late-" + queued.Count), CancellationToken.None);
            if (attempt.IsFaulted)
            {
                refusal = Assert.IsType<DomainException>(attempt.Exception!.InnerException);
            }
            else
            {
                queued.Add(attempt);
                await Task.Delay(1).DefaultTimeout();
            }
        }
        listener.Release();
        await disposing.DefaultTimeout();
        var receipts = await Task.WhenAll(queued).DefaultTimeout();
        await warmUp.DefaultTimeout();

        Assert.Equal(ErrorKind.Unavailable, refusal.Kind);
        Assert.Equal(ErrorReasons.ShuttingDown, refusal.Reason);
        var after = await Assert.ThrowsAsync<DomainException>(() =>
            store.ExecuteAsync(receipts[0].RequestId, new AssignCommand(TestData.Operator(1), TestData.Operator(1)), CancellationToken.None).DefaultTimeout());
        Assert.Equal(ErrorReasons.ShuttingDown, after.Reason);
        var read = await Assert.ThrowsAsync<DomainException>(() => store.GetAsync(receipts[0].RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout());
        Assert.Equal(ErrorReasons.ShuttingDown, read.Reason);
        store.Dispose();

        // Only the data stream is kept: everything acknowledged was checkpointed into it.
        using var reopened = TestStore.OnStreams(data, log: null);
        Assert.Equal(receipts.Length + 1, reopened.CommittedRevision);
        foreach (var receipt in receipts)
        {
            Assert.NotNull(await reopened.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout());
        }
    }

    [Fact]
    public async Task CancelledWhileQueued_IsNeverWritten()
    {
        var listener = new RecordingListener();
        using var store = TestStore.InMemory(listener);
        listener.HoldNextBatch();
        var warmUp = store.SubmitAsync(TestData.Submission("warm-up"), CancellationToken.None);
        listener.WaitUntilHolding();
        using var cancel = new CancellationTokenSource();

        var abandoned = store.SubmitAsync(TestData.Submission("abandoned"), cancel.Token);
        var kept = store.SubmitAsync(TestData.Submission("kept"), CancellationToken.None);
        await cancel.CancelAsync().DefaultTimeout();
        listener.Release();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.DefaultTimeout());
        Assert.Equal(2, (await kept.DefaultTimeout()).Number);
        await warmUp.DefaultTimeout();
        Assert.Equal(2, store.CommittedRevision);
        var retried = await store.SubmitAsync(TestData.Submission("abandoned"), CancellationToken.None).DefaultTimeout();
        Assert.False(retried.Duplicate);
    }

    [Fact]
    public async Task AlreadyCancelledToken_FailsWithoutQueueing()
    {
        using var store = TestStore.InMemory();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            store.SubmitAsync(TestData.Submission("k"), new CancellationToken(canceled: true)).DefaultTimeout());
        Assert.Equal(0, store.BatchCount);
    }
}
