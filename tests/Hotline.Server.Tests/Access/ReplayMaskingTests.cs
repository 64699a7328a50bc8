using Hotline.Contract.V1;
using static Hotline.Server.Tests.HotlineTestServer;
using ContactVisibility = Hotline.Domain.ContactVisibility;

namespace Hotline.Server.Tests.Access;

/// <summary>
/// A resumed watch replays changes as they were at their revision; the contact handle in them must
/// follow the watcher's rights now, not then (issue 11, item 6).
/// </summary>
public sealed class ReplayMaskingTests
{
    [Fact]
    public async Task Replay_OfAClaimTheOperatorNoLongerHolds_MasksTheHandle_WhileTheHolderNowSeesIt()
    {
        await using var server = await StartAsync();
        var anna = OperatorId(1);
        var timur = OperatorId(2);
        var submitted = await server.SubmitAsync();
        var claimed = (await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = submitted.Name }, As(anna)).ResponseAsync.DefaultTimeout()).Request;
        Assert.Equal("@someone", claimed.ContactHandle);
        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = submitted.Name, Assignee = "operators/" + timur }, As(Supervisor))
            .ResponseAsync.DefaultTimeout();

        var annaReplay = await ReplayFromAsync(server, anna, claimed.Revision);
        var timurReplay = await ReplayFromAsync(server, timur, claimed.Revision);

        // Anna's claim, replayed after the request went to Timur: she no longer holds it.
        Assert.Equal("operators/" + anna, annaReplay[0].Request.Assignee);
        Assert.Equal(ContactVisibility.Mask("@someone"), annaReplay[0].Request.ContactHandle);
        Assert.Equal(ContactVisibility.Mask("@someone"), annaReplay[1].Request.ContactHandle);
        // Timur holds it now: the change that gave it to him shows him the handle, the earlier one does not.
        Assert.Equal(ContactVisibility.Mask("@someone"), timurReplay[0].Request.ContactHandle);
        Assert.Equal("@someone", timurReplay[1].Request.ContactHandle);
    }

    private static async Task<List<RequestChange>> ReplayFromAsync(HotlineTestServer server, string watcher, long from)
    {
        using var stop = new CancellationTokenSource();
        using var call = server.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = from }, Streaming(watcher, stop.Token));
        var feed = new WatchFeed(call);
        var changes = new List<RequestChange> { await feed.NextChangeAsync(), await feed.NextChangeAsync() };
        await stop.CancelAsync();
        return changes;
    }
}
