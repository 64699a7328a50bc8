using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage.Tests;

public sealed class ChangeListenerTests
{
    [Fact]
    public async Task ConcurrentWrites_ListenerSeesEveryRevisionOnceInOrderAfterItIsDurable()
    {
        var listener = new RecordingListener();
        LiteDbRequestStore? store = null;
        var notDurableYet = 0;
        listener.Inspect = changes =>
        {
            if (store is not null && store.CommittedRevision < changes[^1].Revision)
            {
                Interlocked.Increment(ref notDurableYet);
            }
        };
        using (store = TestStore.InMemory(listener))
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
    public async Task ListenerCall_ChangeIsAlreadyInTheDataFileWithoutTheLog()
    {
        var data = new MemoryStream();
        var log = new MemoryStream();
        var listener = new RecordingListener();
        var missing = new List<long>();
        // The writer is inside the listener, so nothing writes to the streams while they are copied.
        listener.Inspect = changes =>
        {
            using var copy = new MemoryStream();
            copy.Write(data.ToArray());
            copy.Position = 0;
            using var dataFileOnly = new LiteDatabase(copy);
            var requests = dataFileOnly.GetCollection("requests");
            missing.AddRange(changes.Where(c => requests.FindById(c.RequestId)?["revision"].AsInt64 != c.Revision).Select(c => c.Revision));
        };
        using var store = TestStore.OnStreams(data, log, listener);
        for (var i = 0; i < 5; i++)
        {
            var receipt = await store.SubmitAsync(TestData.Submission("d-" + i), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(receipt.RequestId, new AssignCommand(TestData.Operator(1), TestData.Operator(1)), CancellationToken.None).DefaultTimeout();
        }

        listener.WaitForRevision(10);
        Assert.Equal(10, listener.Changes.Count);
        Assert.Empty(missing);
    }

    [Fact]
    public async Task ThrowingListener_DoesNotStopTheWriter()
    {
        using var store = TestStore.InMemory(new ThrowingListener());
        var first = await store.SubmitAsync(TestData.Submission("a"), CancellationToken.None).DefaultTimeout();
        var second = await store.SubmitAsync(TestData.Submission("b"), CancellationToken.None).DefaultTimeout();
        Assert.Equal(first.Number + 1, second.Number);
    }

    private sealed class ThrowingListener : IChangeListener
    {
        public void OnCommitted(IReadOnlyList<RequestChange> changes) => throw new InvalidOperationException("listener bug");
    }
}
