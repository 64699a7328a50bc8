using Hotline.Contract.V1;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests;

/// <summary>
/// A request's audit trail names the operators whose watch streams could have received it, though
/// a stream's own records name no request.
/// </summary>
public sealed class StreamAuditTests
{
    private static readonly string Anna = OperatorId(1);

    [Fact]
    public async Task OperatorsWatchThatDeliveredARequestLive_IsInItsTrail_ARequestCreatedAfterTheStreamClosedIsNot()
    {
        await using var server = await StartAsync();
        var audit = new AuditService.AuditServiceClient(server.Channel);
        long snapshotRevision;
        RequestChange delivered;
        using (var cts = new CancellationTokenSource())
        {
            using var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
            var feed = new WatchFeed(call);
            snapshotRevision = (await feed.ReadSnapshotAsync()).Revision;
            var live = await server.SubmitAsync("delivered live");
            delivered = await feed.NextChangeAsync();
            Assert.Equal(live.Name, delivered.Name);
            await cts.CancelAsync();
        }
        var ended = await WaitForEndAsync(audit, Anna);
        var afterwards = await server.SubmitAsync("created after the stream closed");

        var trail = await TrailAsync(audit, delivered.Name);
        var later = await TrailAsync(audit, afterwards.Name);

        var watched = Assert.Single(trail, e => e.Action == AuditAction.Watched);
        Assert.Equal("operators/" + Anna, watched.Actor);
        Assert.Empty(watched.Requests);
        Assert.Equal(ended.Watch.Stream, watched.Sequence);
        Assert.Equal(watched.Sequence, watched.Watch.Stream);
        Assert.Equal(snapshotRevision, watched.Watch.FromRevision);
        Assert.NotNull(watched.Watch.SnapshotClosedSince);
        Assert.True(watched.Reached.Ended);
        Assert.True(watched.Reached.ThroughRevision >= delivered.Revision, "the stream's end covers the change it delivered");
        Assert.Equal([AuditAction.Submitted, AuditAction.Watched], trail.Select(e => e.Action).Order());
        Assert.Equal(delivered.Revision, trail.Single(e => e.Action == AuditAction.Submitted).Revision);
        Assert.DoesNotContain(later, e => e.Action == AuditAction.Watched);
        var verified = await audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout();
        Assert.True(verified.Intact, verified.Detail);
    }

    [Fact]
    public async Task ResumedWatch_IsInTheTrailOfARequestItReplayed_NotOfOneUnchangedSinceItsStart()
    {
        await using var server = await StartAsync();
        var audit = new AuditService.AuditServiceClient(server.Channel);
        var untouched = await server.SubmitAsync("untouched");
        var replayed = await server.SubmitAsync("replayed");
        using (var cts = new CancellationTokenSource())
        {
            using var call = server.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = 2 }, Streaming(Anna, cts.Token));
            var change = await new WatchFeed(call).NextChangeAsync();
            Assert.Equal(replayed.Name, change.Name);
            await cts.CancelAsync();
        }
        await WaitForEndAsync(audit, Anna);

        var watched = Assert.Single(await TrailAsync(audit, replayed.Name), e => e.Action == AuditAction.Watched);
        Assert.Equal(1, watched.Watch.FromRevision);
        Assert.Null(watched.Watch.SnapshotClosedSince);
        Assert.DoesNotContain(await TrailAsync(audit, untouched.Name), e => e.Action == AuditAction.Watched);
    }

    [Fact]
    public async Task WatchFollowingMoreThanOneLease_RecordsItsProgress_AndIsInTheTrailOfARequestPastItsFirstLease()
    {
        await using var server = await StartAsync();
        var audit = new AuditService.AuditServiceClient(server.Channel);
        using var cts = new CancellationTokenSource();
        using var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        var feed = new WatchFeed(call);
        var start = (await feed.ReadSnapshotAsync()).Revision;
        const int count = (int)Domain.WatchAudit.RevisionsPerRecord + 10;
        foreach (var chunk in Enumerable.Range(0, count).Chunk(100))
        {
            await Task.WhenAll(chunk.Select(i => server.SubmitAsync($"r{i}"))).DefaultTimeout();
        }
        var last = new RequestChange();
        while (last.Revision < start + count)
        {
            last = await feed.NextChangeAsync();
        }

        // Still open: its WATCH_PROGRESSED record, on disk before the change past its first lease left, is what finds it.
        var progressed = Assert.Single(await AllEventsAsync(audit), e => e.Action == AuditAction.WatchProgressed);
        var watched = Assert.Single(await TrailAsync(audit, last.Name), e => e.Action == AuditAction.Watched);
        Assert.Equal(progressed.Watch.Stream, watched.Sequence);
        Assert.Equal(start + Domain.WatchAudit.RevisionsPerRecord, progressed.Watch.ThroughRevision);
        Assert.False(watched.Reached.Ended);
        Assert.Equal(progressed.Watch.ThroughRevision, watched.Reached.ThroughRevision);
        await cts.CancelAsync();
    }

    private static async Task<List<AuditEvent>> TrailAsync(AuditService.AuditServiceClient audit, string request) =>
        [.. (await audit.ListAuditEventsAsync(new ListAuditEventsRequest { Request = request, PageSize = 1_000 }, As(Supervisor))
            .ResponseAsync.DefaultTimeout()).Events];

    private static async Task<List<AuditEvent>> AllEventsAsync(AuditService.AuditServiceClient audit)
    {
        var events = new List<AuditEvent>();
        var token = "";
        do
        {
            var page = await audit.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 1_000, PageToken = token }, As(Supervisor))
                .ResponseAsync.DefaultTimeout();
            events.AddRange(page.Events);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return events;
    }

    /// <summary>The stream's end is recorded as the server finishes the call, after the client has gone.</summary>
    private static async Task<AuditEvent> WaitForEndAsync(AuditService.AuditServiceClient audit, string viewer)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if ((await AllEventsAsync(audit)).FirstOrDefault(e => e.Action == AuditAction.WatchEnded && e.Actor == "operators/" + viewer) is { } ended)
            {
                return ended;
            }
            await Task.Delay(50, timeout.Token);
        }
    }
}
