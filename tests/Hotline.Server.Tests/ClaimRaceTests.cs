using Grpc.Core;
using Hotline.Contract.V1;
using Xunit.Abstractions;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests;

public sealed class ClaimRaceTests(ITestOutputHelper output)
{
    private const int Rounds = 20;

    [Fact]
    public async Task FiftyOperatorsClaimSameRequest_ExactlyOneWinsEveryRound_LosersToldWhoHoldsIt()
    {
        await using var server = await StartAsync();
        var winners = 0;
        var losers = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var name = (await server.SubmitAsync($"race {round}")).Name;
            using var start = new ManualResetEventSlim();
            var attempts = Enumerable.Range(1, OperatorCount).Select(i => Task.Run(async () =>
            {
                start.Wait();
                try
                {
                    var response = await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, As(OperatorId(i)));
                    return (Operator: OperatorId(i), Won: true, Holder: response.Request.Assignee);
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
                {
                    var info = RpcAssert.ErrorInfo(ex);
                    Assert.Equal("ALREADY_ASSIGNED", info.Reason);
                    Assert.Contains(info.Metadata["assignee"], ex.Status.Detail, StringComparison.Ordinal);
                    return (Operator: OperatorId(i), Won: false, Holder: info.Metadata["assignee"]);
                }
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(attempts).DefaultTimeout();

            var won = results.Where(r => r.Won).ToList();
            Assert.Single(won);
            var holder = "operators/" + won[0].Operator;
            Assert.All(results, r => Assert.Equal(holder, r.Holder));
            var stored = (await server.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, As(Supervisor)).ResponseAsync.DefaultTimeout()).Request;
            Assert.Equal(holder, stored.Assignee);
            winners += won.Count;
            losers += results.Length - won.Count;
        }
        output.WriteLine($"claim races: {Rounds} rounds x {OperatorCount} concurrent callers over gRPC; winners {winners} (one per round), refused {losers} with ALREADY_ASSIGNED naming the holder");
        Assert.Equal(Rounds, winners);
    }
}
