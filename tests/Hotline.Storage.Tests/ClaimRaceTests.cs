using System.Diagnostics;
using Hotline.Domain;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

public sealed class ClaimRaceTests(ITestOutputHelper output)
{
    private const int Races = 20;
    private const int Claimants = 50;

    [Fact]
    public async Task FiftyOperatorsClaimOneNewRequest_ExactlyOneWinsEveryRace()
    {
        using var store = TestStore.InMemory();
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
            $"writer batches: {store.BatchCount}, elapsed: {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(Races, winners);
    }
}
