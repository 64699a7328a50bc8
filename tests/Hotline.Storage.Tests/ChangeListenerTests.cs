using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage.Tests;

public sealed class ChangeListenerTests
{
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
}
