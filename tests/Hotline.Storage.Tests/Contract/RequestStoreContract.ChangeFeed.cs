using Hotline.Domain;

namespace Hotline.Storage.Tests;

public abstract partial class RequestStoreContract<TStore>
{
    [Fact]
    public async Task ReadChanges_ReturnsARunInOrderUpToMax()
    {
        using var store = await CreateStoreAsync();
        await StoreSteps.SubmitManyAsync(store, 10);

        var run = await store.ReadChangesAsync(4, 3, CancellationToken.None).DefaultTimeout();
        var tail = await store.ReadChangesAsync(9, 100, CancellationToken.None).DefaultTimeout();
        var beyond = await store.ReadChangesAsync(11, 100, CancellationToken.None).DefaultTimeout();

        Assert.Equal([4L, 5L, 6L], run.Changes.Select(c => c.Revision));
        Assert.Equal([9L, 10L], tail.Changes.Select(c => c.Revision));
        Assert.Empty(beyond.Changes);
        Assert.False(beyond.Compacted);
    }

    [Fact]
    public async Task RevisionZeroOnAFreshLog_IsNotCompacted()
    {
        using var store = await CreateStoreAsync();
        await StoreSteps.SubmitManyAsync(store, 2);
        var replay = await store.ReadChangesAsync(0, 10, CancellationToken.None).DefaultTimeout();
        Assert.False(replay.Compacted);
        Assert.Equal(2, replay.Changes.Count);
        Assert.All(replay.Changes, c => Assert.Equal(ChangeKind.Created, c.Kind));
    }

    [Fact]
    public async Task ConcurrentWrites_ListenerSeesEveryRevisionOnceInOrderAfterItIsDurable()
    {
        var listener = new RecordingListener();
        var store = default(TStore);
        var notDurableYet = 0;
        listener.Inspect = changes =>
        {
            if (store is not null && store.CommittedRevision < changes[^1].Revision)
            {
                Interlocked.Increment(ref notDurableYet);
            }
        };
        using (store = await CreateStoreAsync(listener))
        {
            var receipts = await Task.WhenAll(Enumerable.Range(0, 40)
                .Select(i => Task.Run(() => store.SubmitAsync(TestData.Submission("s-" + i), CancellationToken.None)))).DefaultTimeout();
            await Task.WhenAll(receipts.Select((r, i) => Task.Run(() =>
                store.ExecuteAsync(r.RequestId, new AddNoteCommand(TestData.Operator(i), "note " + i), CancellationToken.None)))).DefaultTimeout();

            listener.WaitForRevision(store.CommittedRevision);
            var revisions = listener.Changes.Select(c => c.Revision).ToList();
            Assert.Equal(Enumerable.Range(1, 80).Select(n => (long)n), revisions);
            Assert.Equal(80, store.CommittedRevision);
            Assert.Equal(0, notDurableYet);
        }
    }

    [Fact]
    public async Task ThrowingListener_DoesNotStopTheWriter()
    {
        using var store = await CreateStoreAsync(new ThrowingListener());
        var first = await store.SubmitAsync(TestData.Submission("a"), CancellationToken.None).DefaultTimeout();
        var second = await store.SubmitAsync(TestData.Submission("b"), CancellationToken.None).DefaultTimeout();
        Assert.Equal(first.Number + 1, second.Number);
    }

    [Fact]
    public async Task ReplayCutByCount_SaysThereIsMore_AndTheLastRunDoesNot()
    {
        using var store = await CreateStoreAsync();
        await StoreSteps.SubmitManyAsync(store, 6, "Need help");

        var cut = await store.ReadChangesAsync(1, 4, CancellationToken.None).DefaultTimeout();
        var rest = await store.ReadChangesAsync(cut.ReadThrough + 1, 4, CancellationToken.None).DefaultTimeout();

        Assert.True(cut.More);
        Assert.Equal(4, cut.ReadThrough);
        Assert.False(rest.More);
        Assert.Equal([5L, 6L], rest.Changes.Select(c => c.Revision));
    }

    private sealed class ThrowingListener : IChangeListener
    {
        public void OnCommitted(IReadOnlyList<RequestChange> changes) => throw new InvalidOperationException("listener bug");
    }
}
