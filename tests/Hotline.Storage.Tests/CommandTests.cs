using Hotline.Domain;

namespace Hotline.Storage.Tests;

public sealed class CommandTests
{
    private static readonly OperatorAccount Holder = TestData.Operator(1);

    [Fact]
    public async Task StaleEtag_IsAbortedAndChangesNothing()
    {
        using var store = TestStore.InMemory();
        var receipt = await store.SubmitAsync(TestData.Submission("k"), CancellationToken.None).DefaultTimeout();
        var read = (await store.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())!;
        await store.ExecuteAsync(receipt.RequestId, new AddNoteCommand(Holder, "first"), CancellationToken.None).DefaultTimeout();
        var before = (await store.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())!;

        var error = await Assert.ThrowsAsync<DomainException>(() =>
            store.ExecuteAsync(receipt.RequestId, new AssignCommand(Holder, Holder, read.Etag), CancellationToken.None).DefaultTimeout());

        Assert.Equal(ErrorKind.Aborted, error.Kind);
        Assert.Equal(ErrorReasons.EtagMismatch, error.Reason);
        Assert.Equal(before.Etag, error.Metadata["current_etag"]);
        TestData.AssertSame(before, await store.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout());
        Assert.Equal(before.Revision, store.CommittedRevision);
    }

    [Fact]
    public async Task MatchingEtag_IsApplied()
    {
        using var store = TestStore.InMemory();
        var receipt = await store.SubmitAsync(TestData.Submission("k"), CancellationToken.None).DefaultTimeout();
        var read = (await store.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())!;

        var assigned = await store.ExecuteAsync(receipt.RequestId, new AssignCommand(Holder, Holder, read.Etag), CancellationToken.None).DefaultTimeout();

        Assert.Equal(Holder.Id, assigned.Assignee);
        Assert.Equal(read.Revision + 1, assigned.Revision);
    }

    [Theory]
    [InlineData("aaaaaaaaaaaaaaaaaaaa")]
    [InlineData("not-an-id")]
    [InlineData("~revision")]
    public async Task UnknownRequest_IsNotFound(string requestId)
    {
        using var store = TestStore.InMemory();
        await store.SubmitAsync(TestData.Submission("k"), CancellationToken.None).DefaultTimeout();

        var error = await Assert.ThrowsAsync<DomainException>(() =>
            store.ExecuteAsync(requestId, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout());

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Equal(ErrorReasons.RequestNotFound, error.Reason);
        Assert.Null(await store.GetAsync(requestId, TestData.Reader, CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public async Task UnchangedOutcome_ReturnsCurrentAndWritesNoRevision()
    {
        var listener = new RecordingListener();
        using var store = TestStore.InMemory(listener);
        var receipt = await store.SubmitAsync(TestData.Submission("k"), CancellationToken.None).DefaultTimeout();
        var assigned = await store.ExecuteAsync(receipt.RequestId, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();

        var again = await store.ExecuteAsync(receipt.RequestId, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();

        TestData.AssertSame(assigned, again);
        Assert.Equal(assigned.Revision, store.CommittedRevision);
        listener.WaitForRevision(2);
        Assert.Equal(2, listener.Changes.Count);
        var log = await store.ReadChangesAsync(1, 10, CancellationToken.None).DefaultTimeout();
        Assert.Equal(2, log.Changes.Count);
    }

    [Fact]
    public async Task InvalidCommand_FailsBeforeReachingTheWriter()
    {
        using var store = TestStore.InMemory();
        var receipt = await store.SubmitAsync(TestData.Submission("k"), CancellationToken.None).DefaultTimeout();
        var batches = store.BatchCount;

        var error = await Assert.ThrowsAsync<DomainException>(() =>
            store.ExecuteAsync(receipt.RequestId, new AddNoteCommand(Holder, "   "), CancellationToken.None).DefaultTimeout());

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("text", Assert.Single(error.Violations).Field);
        Assert.Equal(batches, store.BatchCount);
    }

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
