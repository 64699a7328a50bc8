using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Server.Escalation;
using Microsoft.Extensions.Time.Testing;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests;

/// <summary>
/// The server records escalations and due follow-ups by itself: each reaches a watcher once, as a
/// change of its own, and a restart neither repeats one nor misses one that fell due while it was down.
/// </summary>
public sealed class EscalationServiceTests
{
    private static readonly string Anna = OperatorId(1);
    private static readonly string Boris = OperatorId(2);

    [Fact]
    public async Task EscalationAndDueFollowUp_ReachAWatcherExactlyOnce_AndARestartRecordsWhatCrossedWhileDownOnce()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var first = await StartAsync(time: time);
        var danger = (await first.SubmitAsync("опасность", Urgency.ImmediateDanger)).Name;
        var routine = (await first.SubmitAsync("перезвонить")).Name;
        await first.Requests.AssignRequestAsync(new AssignRequestRequest { Name = routine }, As(Anna)).ResponseAsync.DefaultTimeout();
        await first.Requests.SetFollowUpAsync(new SetFollowUpRequest
        {
            Name = routine,
            DueTime = Timestamp.FromDateTimeOffset(time.GetUtcNow().AddMinutes(10)),
            Reason = "after the hearing",
        }, As(Anna)).ResponseAsync.DefaultTimeout();
        using var cts = new CancellationTokenSource();
        var call = first.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        var feed = new WatchFeed(call);
        var snapshot = await feed.ReadSnapshotAsync();
        Assert.Equal(0, snapshot.Requests[danger].EscalationStep);

        time.Advance(TimeSpan.FromMinutes(5));
        var stepOne = await feed.NextChangeAsync();
        Assert.Equal((ChangeKind.Escalated, danger, 1), (stepOne.Kind, stepOne.Name, stepOne.Request.EscalationStep));
        Assert.Equal("operators/" + Domain.ServerActor.Id, stepOne.Actor);

        time.Advance(TimeSpan.FromMinutes(10));
        var both = new[] { await feed.NextChangeAsync(), await feed.NextChangeAsync() }.OrderBy(c => c.Kind).ToList();
        Assert.Equal((ChangeKind.Escalated, danger, 2), (both[0].Kind, both[0].Name, both[0].Request.EscalationStep));
        Assert.Equal((ChangeKind.FollowUpDue, routine), (both[1].Kind, both[1].Name));
        Assert.True(both[1].Request.FollowUp.Due);
        Assert.Equal("after the hearing", both[1].Request.FollowUp.Reason);

        // Nothing is recorded twice: the next change on the feed is the marker written after another pass had its chance.
        time.Advance(TimeSpan.FromMinutes(30));
        await AssertNextIsMarkerAsync(first, feed, routine);
        var urgent = (await first.SubmitAsync("срочно", Urgency.Urgent)).Name;
        var lastRevision = (await feed.NextChangeAsync()).Revision;
        await cts.CancelAsync();
        call.Dispose();
        await first.StopAsync();

        // Down for two hours: the urgent request crossed both of its thresholds meanwhile.
        var later = new FakeTimeProvider(time.GetUtcNow().AddHours(2));
        await using (var restarted = await StartAsync(dataDirectory: first.DataDirectory, time: later))
        {
            using var resumed = new CancellationTokenSource();
            using var again = restarted.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = lastRevision + 1 }, Streaming(Anna, resumed.Token));
            var resumedFeed = new WatchFeed(again);

            var crossedWhileDown = await resumedFeed.NextChangeAsync();
            Assert.Equal((ChangeKind.Escalated, urgent, 2), (crossedWhileDown.Kind, crossedWhileDown.Name, crossedWhileDown.Request.EscalationStep));
            later.Advance(TimeSpan.FromMinutes(1));
            await AssertNextIsMarkerAsync(restarted, resumedFeed, routine);
            await resumed.CancelAsync();
        }
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Claim_ClearsTheStepOnTheFeed_AndReleaseStartsTheClockAgain()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(time: time);
        var name = (await server.SubmitAsync("помогите", Urgency.ImmediateDanger)).Name;
        using var cts = new CancellationTokenSource();
        using var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        var feed = new WatchFeed(call);
        await feed.ReadSnapshotAsync();
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, (await feed.NextChangeAsync()).Request.EscalationStep);

        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, As(Anna)).ResponseAsync.DefaultTimeout();
        var claimed = await feed.NextChangeAsync();
        time.Advance(TimeSpan.FromMinutes(1));
        var released = (await server.Requests.ReleaseRequestAsync(new ReleaseRequestRequest { Name = name }, As(Anna)).ResponseAsync.DefaultTimeout()).Request;

        Assert.Equal((ChangeKind.Assigned, 0), (claimed.Kind, claimed.Request.EscalationStep));
        Assert.Equal(time.GetUtcNow(), released.WaitingSince.ToDateTimeOffset());
        Assert.Equal(ChangeKind.Released, (await feed.NextChangeAsync()).Kind);
        time.Advance(TimeSpan.FromMinutes(5));
        var escalatedAgain = await feed.NextChangeAsync();
        Assert.Equal((ChangeKind.Escalated, 1), (escalatedAgain.Kind, escalatedAgain.Request.EscalationStep));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task SetFollowUp_BadInput_IsRefusedNamingTheFieldAndChangesNothing()
    {
        await using var server = await StartAsync();
        var name = (await server.SubmitAsync()).Name;
        var held = (await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, As(Anna)).ResponseAsync.DefaultTimeout()).Request;
        SetFollowUpRequest FollowUp(TimeSpan fromNow, string reason = "call back", string etag = "", string? of = null) => new()
        {
            Name = of ?? name,
            DueTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow + fromNow),
            Reason = reason,
            Etag = etag,
        };

        var past = await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
            () => server.Requests.SetFollowUpAsync(FollowUp(TimeSpan.FromMinutes(-1)), As(Anna)).ResponseAsync);
        var far = await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
            () => server.Requests.SetFollowUpAsync(FollowUp(TimeSpan.FromDays(100)), As(Anna)).ResponseAsync);
        var missing = await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
            () => server.Requests.SetFollowUpAsync(new SetFollowUpRequest { Name = name, Reason = "x" }, As(Anna)).ResponseAsync);
        var empty = await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
            () => server.Requests.SetFollowUpAsync(FollowUp(TimeSpan.FromHours(1), reason: " "), As(Anna)).ResponseAsync);
        await RpcAssert.FailsWithReasonAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED",
            () => server.Requests.SetFollowUpAsync(FollowUp(TimeSpan.FromHours(1)), As(Boris)).ResponseAsync);
        await RpcAssert.FailsWithReasonAsync(StatusCode.Aborted, "ETAG_MISMATCH",
            () => server.Requests.SetFollowUpAsync(FollowUp(TimeSpan.FromHours(1), etag: "1"), As(Anna)).ResponseAsync);
        var unheld = (await server.SubmitAsync()).Name;
        await RpcAssert.FailsWithReasonAsync(StatusCode.FailedPrecondition, "NOT_ASSIGNED",
            () => server.Requests.SetFollowUpAsync(FollowUp(TimeSpan.FromHours(1), of: unheld), As(Anna)).ResponseAsync);

        Assert.Equal("due_time", Assert.Single(RpcAssert.BadRequest(past).FieldViolations).Field);
        Assert.Equal("due_time", Assert.Single(RpcAssert.BadRequest(far).FieldViolations).Field);
        Assert.Equal("due_time", Assert.Single(RpcAssert.BadRequest(missing).FieldViolations).Field);
        Assert.Equal("reason", Assert.Single(RpcAssert.BadRequest(empty).FieldViolations).Field);
        var after = (await server.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, As(Anna)).ResponseAsync.DefaultTimeout()).Request;
        Assert.Equal(held.Revision, after.Revision);
        Assert.Null(after.FollowUp);
    }

    [Fact]
    public async Task HandOver_WithNote_ReachesTheReceiverNamingTheNote()
    {
        await using var server = await StartAsync();
        var name = (await server.SubmitAsync()).Name;
        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, As(Anna)).ResponseAsync.DefaultTimeout();

        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name, Assignee = "operators/" + Boris, HandOverNote = "Она ждёт звонка" },
            As(Anna)).ResponseAsync.DefaultTimeout();

        var seen = (await server.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, As(Boris)).ResponseAsync.DefaultTimeout()).Request;
        Assert.Equal(("operators/" + Anna, "operators/" + Boris), (seen.HandOver.From, seen.HandOver.To));
        Assert.Equal("Она ждёт звонка", seen.Notes.Single(n => n.Id == seen.HandOver.NoteId).Text);
    }

    [Fact]
    public void Options_SecondThresholdNotAfterFirst_AreRefusedAtStart()
    {
        var options = new EscalationOptions();
        options.Urgent.Second = options.Urgent.First;

        Assert.Contains(options.Problems(), p => p.StartsWith(EscalationOptions.Section + ":Urgent", StringComparison.Ordinal));
        Assert.Empty(new EscalationOptions().Problems());
    }

    private static async Task AssertNextIsMarkerAsync(HotlineTestServer server, WatchFeed feed, string name)
    {
        await server.Requests.AddNoteAsync(new AddNoteRequest { Name = name, Text = "marker" }, As(Anna)).ResponseAsync.DefaultTimeout();
        var next = await feed.NextChangeAsync();
        Assert.Equal((ChangeKind.NoteAdded, name), (next.Kind, next.Name));
    }
}
