using System.Diagnostics;
using Hotline.Domain;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

public abstract partial class RequestStoreContract<TStore>
{
    private const int Races = 20;
    private const int Claimants = 50;

    [Fact]
    public async Task StaleEtag_IsAbortedAndChangesNothing()
    {
        using var store = await CreateStoreAsync();
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
        using var store = await CreateStoreAsync();
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
        using var store = await CreateStoreAsync();
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
        using var store = await CreateStoreAsync(listener);
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
    public async Task FiftyOperatorsClaimOneNewRequest_ExactlyOneWinsEveryRace()
    {
        using var store = await CreateStoreAsync();
        var operators = Enumerable.Range(1, Claimants).Select(TestData.Operator).ToArray();
        var winners = 0;
        var losers = 0;
        var stopwatch = Stopwatch.StartNew();
        for (var race = 0; race < Races; race++)
        {
            var receipt = await store.SubmitAsync(TestData.Submission("race-" + race), CancellationToken.None).DefaultTimeout();
            using var start = new ManualResetEventSlim();
            var claims = operators
                .Select(op => Task.Run(async () =>
                {
                    start.Wait(TaskExtensions.Timeout);
                    return await store.ExecuteAsync(receipt.RequestId, new AssignCommand(op, op), CancellationToken.None);
                }))
                .ToArray();
            start.Set();
            await Task.WhenAll(claims.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default))).DefaultTimeout();

            var won = await Task.WhenAll(claims.Where(c => c.IsCompletedSuccessfully));
            var winner = Assert.Single(won);
            var failures = claims.Where(c => c.IsFaulted).Select(c => Assert.IsType<DomainException>(c.Exception!.InnerException)).ToList();
            Assert.Equal(Claimants - 1, failures.Count);
            Assert.All(failures, f =>
            {
                Assert.Equal(ErrorKind.FailedPrecondition, f.Kind);
                Assert.Equal(ErrorReasons.AlreadyAssigned, f.Reason);
                Assert.Equal("operators/" + winner.Assignee, f.Metadata["assignee"]);
            });
            var stored = await store.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout();
            Assert.Equal(winner.Assignee, stored!.Assignee);
            Assert.Equal(RequestState.Assigned, stored.State);
            winners += won.Length;
            losers += failures.Count;
        }
        output.WriteLine($"claim races: {Races}, claimants per race: {Claimants}, winners: {winners}, refused ALREADY_ASSIGNED: {losers}, " +
            $"elapsed: {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(Races, winners);
    }
}
