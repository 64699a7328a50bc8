using Hotline.Domain;

namespace Hotline.Storage.Tests;

public sealed class CommandTests
{
    private static readonly OperatorAccount Holder = TestData.Operator(1);

    [Fact]
    public async Task RefusedCommandInABatch_DoesNotStopTheOthers()
    {
        var listener = new RecordingListener();
        using var store = TestStore.InMemory(listener);
        var receipt = await store.SubmitAsync(TestData.Submission("k"), CancellationToken.None).DefaultTimeout();
        listener.HoldNextBatch();
        var warmUp = store.SubmitAsync(TestData.Submission("warm-up"), CancellationToken.None);
        listener.WaitUntilHolding();

        var close = store.ExecuteAsync(receipt.RequestId, new CloseCommand(Holder, Resolution.Spam), CancellationToken.None);
        var noteOnClosed = store.ExecuteAsync(receipt.RequestId, new AddNoteCommand(Holder, "too late"), CancellationToken.None);
        var next = store.SubmitAsync(TestData.Submission("after"), CancellationToken.None);
        listener.Release();

        var closed = await close.DefaultTimeout();
        var error = await Assert.ThrowsAsync<DomainException>(() => noteOnClosed.DefaultTimeout());
        var after = await next.DefaultTimeout();
        await warmUp.DefaultTimeout();

        Assert.Equal(ErrorReasons.RequestClosed, error.Reason);
        Assert.Equal(closed.Revision + 1, (await store.GetAsync(after.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())!.Revision);
        Assert.Empty((await store.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())!.Notes);
    }
}
