using Hotline.Contract.V1;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests;

/// <summary>ListOperators is the console's assign list: who can take work, and who is watching the queue now.</summary>
public sealed class OperatorListTests
{
    private static readonly string Watching = OperatorId(1);
    private static readonly string Idle = OperatorId(2);
    private static readonly string Panicked = OperatorId(3);

    [Fact]
    public async Task ListOperators_MarksWhoHasAnOpenWatch_AndLeavesOutDisabledAndTokenlessAccounts()
    {
        await using var server = await StartAsync();
        using var stop = new CancellationTokenSource();
        using var watch = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Watching, stop.Token));
        await new WatchFeed(watch).ReadSnapshotAsync();
        await server.Operators.EndMySessionAsync(new EndMySessionRequest(), As(Panicked)).ResponseAsync.DefaultTimeout();

        var list = await server.Operators.ListOperatorsAsync(new ListOperatorsRequest(), As(Idle)).ResponseAsync.DefaultTimeout();

        var byName = list.Operators.ToDictionary(o => o.Name);
        Assert.True(byName["operators/" + Watching].Connected);
        Assert.False(byName["operators/" + Idle].Connected, "a unary call is not a connection");
        Assert.DoesNotContain("operators/" + Panicked, byName.Keys);
        Assert.DoesNotContain("operators/" + Disabled, byName.Keys);
        Assert.DoesNotContain("operators/" + Intake, byName.Keys);

        var all = await server.Operators.ListOperatorsAsync(new ListOperatorsRequest { ShowDisabled = true }, As(Idle)).ResponseAsync.DefaultTimeout();
        Assert.Contains(all.Operators, o => o.Name == "operators/" + Panicked && !o.Disabled);
        Assert.Contains(all.Operators, o => o.Name == "operators/" + Disabled && o.Disabled);
        Assert.DoesNotContain(all.Operators, o => o.Name == "operators/" + Intake);

        await stop.CancelAsync();
        Assert.True(await EventuallyAsync(async () =>
        {
            var now = await server.Operators.ListOperatorsAsync(new ListOperatorsRequest(), As(Idle)).ResponseAsync.DefaultTimeout();
            return !now.Operators.Single(o => o.Name == "operators/" + Watching).Connected;
        }), "a closed watch no longer counts as connected");
    }

    [Fact]
    public async Task WhoAmI_NeverSaysConnected()
    {
        await using var server = await StartAsync();
        using var stop = new CancellationTokenSource();
        using var watch = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Watching, stop.Token));
        await new WatchFeed(watch).ReadSnapshotAsync();

        var me = await server.Operators.WhoAmIAsync(new WhoAmIRequest(), As(Watching)).ResponseAsync.DefaultTimeout();

        // Documented as filled by ListOperators only, so a client cannot come to rely on it here.
        Assert.False(me.Operator.Connected);
        await stop.CancelAsync();
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TaskTimeouts.Default;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(50);
        }
        return false;
    }
}
