using Google.Rpc;
using Grpc.Core;
using Hotline.Contract.V1;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests.Access;

/// <summary>
/// Issue 11, item 2: anyone allowed to submit could type in a suspected number, read on their own
/// request whether it had contacted the hotline before, and then list that person's earlier
/// requests. A submitter now learns nothing about repeat contacts from their own submission, on
/// any read path, and related lookups are limited per caller.
/// </summary>
public sealed class ContactOracleTests
{
    private static readonly string Suspect = "+7 912 345-67-89";

    [Fact]
    public async Task OperatorSubmittingASuspectedNumber_LearnsNothingAboutItsEarlierContacts()
    {
        await using var server = await StartAsync();
        var anna = OperatorId(1);
        // The victim's earlier request, from an integration, in one format of the number.
        var earlier = await Submit(server, Intake, "79123456789");
        // A supervisor watches from before, and anna's own watch stream too.
        using var stop = new CancellationTokenSource();
        using var annaCall = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(anna, stop.Token));
        var annaFeed = new WatchFeed(annaCall);
        await annaFeed.ReadSnapshotAsync();

        // The attack: the same number in another format, submitted by the operator herself.
        var probe = await Submit(server, anna, Suspect);

        var live = await annaFeed.NextChangeAsync();
        Assert.Equal(probe.Name, live.Name);
        Assert.Equal(0, live.Request.EarlierContactCount);
        Assert.Equal(0, (await server.Requests.GetRequestAsync(new GetRequestRequest { Name = probe.Name }, As(anna))).Request.EarlierContactCount);
        var listed = await server.Requests.ListRequestsAsync(new ListRequestsRequest { Filter = "state = NEW" }, As(anna));
        Assert.Equal(0, listed.Requests.Single(r => r.Name == probe.Name).EarlierContactCount);
        using (var fresh = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(anna, stop.Token)))
        {
            var (snapshot, _, _) = await new WatchFeed(fresh).ReadSnapshotAsync();
            Assert.Equal(0, snapshot[probe.Name].EarlierContactCount);
        }
        var refused = await RpcAssert.FailsWithReasonAsync(StatusCode.PermissionDenied, "OWN_SUBMISSION",
            () => server.Requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = probe.Name }, As(anna)).ResponseAsync);
        Assert.Equal(probe.Name, refused.Metadata["request"]);

        // A colleague who did not submit it sees the link, as the feature intends.
        Assert.Equal(1, (await server.Requests.GetRequestAsync(new GetRequestRequest { Name = probe.Name }, As(Supervisor))).Request.EarlierContactCount);
        var related = await server.Requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = probe.Name }, As(Supervisor));
        Assert.Equal([earlier.Name], related.Requests.Select(r => r.Name));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task RelatedLookups_AreLimitedPerCaller_WithRetryInfo_AndOthersAreNotHeldBack()
    {
        await using var server = await StartAsync();
        var first = await Submit(server, Intake, "79123456789");
        var second = await Submit(server, Intake, Suspect);
        var anna = OperatorId(1);

        for (var i = 0; i < Grpc.RelatedLookupLimiter.Burst; i++)
        {
            await server.Requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = second.Name }, As(anna));
        }
        var refused = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted,
            () => server.Requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = first.Name }, As(anna)).ResponseAsync);

        Assert.Equal("RATE_LIMITED", RpcAssert.ErrorInfo(refused).Reason);
        Assert.Equal("related", RpcAssert.ErrorInfo(refused).Metadata["limit"]);
        Assert.True(refused.GetRpcStatus()!.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan() > TimeSpan.Zero);
        var colleague = await server.Requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = second.Name }, As(OperatorId(2)));
        Assert.Equal([first.Name], colleague.Requests.Select(r => r.Name));
    }

    private static async Task<SubmitRequestResponse> Submit(HotlineTestServer server, string caller, string handle) =>
        await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Channel = Channel.Sms,
            ContactHandle = handle,
            Language = "ru",
            Message = "canary message for the oracle test",
            Urgency = Urgency.Routine,
        }, As(caller)).ResponseAsync.DefaultTimeout();
}
