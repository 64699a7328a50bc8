using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Server.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests;

public sealed class WatchTests(ITestOutputHelper output)
{
    private static readonly string Anna = OperatorId(1);

    /// <summary>The server's default: a snapshot holds requests closed within it.</summary>
    private static readonly TimeSpan ClosedWindow = new Live.WatchOptions().ClosedWindow;

    [Fact]
    public async Task Watch_WithoutStart_SendsSnapshotThenSnapshotEndThenLiveChanges()
    {
        await using var server = await StartAsync();
        var before = await Task.WhenAll(Enumerable.Range(0, 250).Select(i => server.SubmitAsync($"before {i}")));
        using var cts = new CancellationTokenSource();
        using var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        var feed = new WatchFeed(call);

        var snapshot = await feed.ReadSnapshotAsync();
        Assert.Equal(before.Select(r => r.Name).Order(), snapshot.Requests.Keys.Order());
        Assert.Equal(snapshot.Requests.Values.Max(r => r.Revision), snapshot.Revision);
        Assert.True(snapshot.Pages >= 3, "250 requests arrive in pages of at most 100");

        var live = await server.SubmitAsync("after");
        var change = await feed.NextChangeAsync();
        Assert.Equal(ChangeKind.Created, change.Kind);
        Assert.Equal(live.Name, change.Name);
        Assert.Equal(snapshot.Revision + 1, change.Revision);
        Assert.Equal("operators/" + Intake, change.Actor);
        Assert.Equal("after", change.Request.Message);

        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = live.Name }, As(Anna)).ResponseAsync.DefaultTimeout();
        var assigned = await feed.NextChangeAsync();
        Assert.Equal(ChangeKind.Assigned, assigned.Kind);
        Assert.Equal(change.Revision + 1, assigned.Revision);
        Assert.Equal("operators/" + Anna, assigned.Request.Assignee);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Watch_StartedDuringConcurrentWrites_SnapshotPlusChangesEqualsTheWorkingSet()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(time: time);
        var seeded = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => server.SubmitAsync($"seed {i}")));
        // Closed before the window: the first half comes back during the rounds, the second half never appears.
        var history = seeded.Take(40).Select(r => r.Name).ToList();
        foreach (var name in history)
        {
            await CloseAsync(server, name);
        }
        time.Advance(ClosedWindow + TimeSpan.FromHours(1));
        var reopened = 0;
        for (var round = 0; round < 3; round++)
        {
            using var stop = new CancellationTokenSource();
            var writer = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var receipt = await server.SubmitAsync($"during {round}.{i}");
                    if (i % 3 == 0)
                    {
                        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = receipt.Name }, As(OperatorId(1 + i % 50)));
                    }
                    if (i % 4 == 1)
                    {
                        await CloseAsync(server, receipt.Name);
                    }
                    if (i % 5 == 2 && reopened < history.Count / 2)
                    {
                        await server.Requests.ReopenRequestAsync(new ReopenRequestRequest { Name = history[reopened++] }, As(Supervisor));
                    }
                }
            });
            await Task.Delay(50);

            using var cts = new CancellationTokenSource();
            // A supervisor sees every field as stored; what operators see is tested in AccessTests.
            using var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Supervisor, cts.Token));
            var feed = new WatchFeed(call);
            var (mirror, applied, _) = await feed.ReadSnapshotAsync();
            await Task.Delay(200);
            await stop.CancelAsync();
            await writer.DefaultTimeout();

            var store = await ListAllAsync(server);
            var storeRevision = store.Values.Max(r => r.Revision);
            var cutoff = time.GetUtcNow() - ClosedWindow;
            var workingSet = store.Values.Where(r => r.State != RequestState.Closed || r.CloseTime.ToDateTimeOffset() >= cutoff).ToList();
            var changes = 0;
            while (applied < storeRevision)
            {
                var change = await feed.NextChangeAsync();
                Assert.Equal(applied + 1, change.Revision);
                mirror[change.Name] = change.Request;
                applied = change.Revision;
                changes++;
            }
            Assert.Equal(workingSet.Count, mirror.Count);
            foreach (var request in workingSet)
            {
                Assert.Equal(request, mirror[request.Name]);
            }
            Assert.DoesNotContain(history.Skip(history.Count / 2), mirror.ContainsKey);
            output.WriteLine($"watch under load, round {round}: snapshot + {changes} live changes reproduced the working set of " +
                $"{workingSet.Count} of {store.Count} requests at revision {storeRevision} exactly ({reopened} reopened from history so far)");
            await cts.CancelAsync();
        }
        Assert.True(reopened > 0, "no request was reopened from history");
    }

    [Fact]
    public async Task Watch_Snapshot_HoldsOpenAndRecentlyClosed_NotThoseClosedBeforeTheWindow()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(time: time);
        var closedLongAgo = (await server.SubmitAsync("closed long ago")).Name;
        await CloseAsync(server, closedLongAgo);
        var openLongAgo = (await server.SubmitAsync("open since long ago")).Name;
        time.Advance(TimeSpan.FromHours(40));
        // Closed 30 hours before the watch: yesterday, or earlier today, depending on the console's time zone.
        var closedYesterday = (await server.SubmitAsync("closed yesterday")).Name;
        await CloseAsync(server, closedYesterday);
        time.Advance(TimeSpan.FromHours(30));
        var open = (await server.SubmitAsync("open")).Name;

        using var cts = new CancellationTokenSource();
        using var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        var snapshot = await new WatchFeed(call).ReadSnapshotAsync();

        Assert.Equal(new[] { openLongAgo, closedYesterday, open }.Order(), snapshot.Requests.Keys.Order());
        Assert.Equal(RequestState.Closed, snapshot.Requests[closedYesterday].State);
        var listed = await server.Requests.GetRequestAsync(new GetRequestRequest { Name = closedLongAgo }, As(Anna)).ResponseAsync.DefaultTimeout();
        Assert.Equal(RequestState.Closed, listed.Request.State);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Watch_RequestReopenedFromOldHistory_ArrivesAsAChangeCarryingTheWholeRequest()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(time: time);
        var old = (await server.SubmitAsync("закрыто давно")).Name;
        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = old }, As(Anna)).ResponseAsync.DefaultTimeout();
        await server.Requests.AddNoteAsync(new AddNoteRequest { Name = old, Text = "перезвонили" }, As(Anna)).ResponseAsync.DefaultTimeout();
        await CloseAsync(server, old);
        time.Advance(TimeSpan.FromDays(5));
        var open = (await server.SubmitAsync("open")).Name;
        using var cts = new CancellationTokenSource();
        using var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        var feed = new WatchFeed(call);
        var (mirror, applied, _) = await feed.ReadSnapshotAsync();
        Assert.Equal([open], mirror.Keys);

        var reopened = await server.Requests.ReopenRequestAsync(new ReopenRequestRequest { Name = old }, As(Anna)).ResponseAsync.DefaultTimeout();
        var change = await feed.NextChangeAsync();

        Assert.Equal((ChangeKind.Reopened, old, applied + 1), (change.Kind, change.Name, change.Revision));
        Assert.Equal(reopened.Request, change.Request);
        Assert.Equal("закрыто давно", change.Request.Message);
        Assert.Equal("перезвонили", Assert.Single(change.Request.Notes).Text);
        Assert.Equal(RequestState.Assigned, change.Request.State);
        // The client had never seen it: applying the change adds it, whole.
        mirror[change.Name] = change.Request;
        var got = await server.Requests.GetRequestAsync(new GetRequestRequest { Name = old }, As(Anna)).ResponseAsync.DefaultTimeout();
        Assert.Equal(got.Request, mirror[old]);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Watch_ResumeFromRevision_ReplaysMissedChangesWithNoGapAndNoDuplicate()
    {
        await using var server = await StartAsync();
        var checks = 0;
        for (var round = 0; round < 5; round++)
        {
            using var cts = new CancellationTokenSource();
            var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
            var feed = new WatchFeed(call);
            var snapshot = await feed.ReadSnapshotAsync();
            var applied = snapshot.Revision;
            await server.SubmitAsync($"seen {round}");
            applied = (await feed.NextChangeAsync()).Revision;
            await cts.CancelAsync();
            call.Dispose();

            // Missed while disconnected.
            var missed = new List<long>();
            for (var i = 0; i < 30; i++)
            {
                var receipt = await server.SubmitAsync($"missed {round}.{i}");
                var got = await server.Requests.GetRequestAsync(new GetRequestRequest { Name = receipt.Name }, As(Anna)).ResponseAsync.DefaultTimeout();
                missed.Add(got.Request.Revision);
            }

            using var resumeCts = new CancellationTokenSource();
            using var resumed = server.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = applied + 1 }, Streaming(Anna, resumeCts.Token));
            var resumedFeed = new WatchFeed(resumed);
            var replayed = new List<long>();
            for (var i = 0; i < missed.Count; i++)
            {
                replayed.Add((await resumedFeed.NextChangeAsync()).Revision);
            }
            Assert.Equal(missed, replayed);
            Assert.Equal(Enumerable.Range((int)applied + 1, missed.Count).Select(r => (long)r), replayed);

            var after = await server.SubmitAsync($"live {round}");
            var next = await resumedFeed.NextChangeAsync();
            Assert.Equal(after.Name, next.Name);
            Assert.Equal(replayed[^1] + 1, next.Revision);
            checks++;
            await resumeCts.CancelAsync();
        }
        output.WriteLine($"watch resume: {checks} disconnect/resume rounds, 30 missed changes each, replayed in order with 0 gaps and 0 duplicates");
    }

    /// <summary>
    /// A replay is read in runs bounded in bytes (about eight requests of this size per run), so a
    /// resuming stream over large requests crosses many runs: none may lose or repeat a change.
    /// </summary>
    [Fact]
    public async Task Watch_ResumeOverLargeRequests_ReplaysEveryChangeOnceAcrossByteBoundedRuns()
    {
        await using var server = await StartAsync();
        var first = await server.SubmitAsync("first");
        var start = (await server.Requests.GetRequestAsync(new GetRequestRequest { Name = first.Name }, As(Anna)).ResponseAsync.DefaultTimeout()).Request.Revision;
        var large = new string('ж', 7_990);
        for (var i = 0; i < 40; i++)
        {
            await server.SubmitAsync($"{i:D3} {large}");
        }

        using var cts = new CancellationTokenSource();
        using var call = server.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = start + 1 }, Streaming(Anna, cts.Token));
        var feed = new WatchFeed(call);
        var replayed = new List<long>();
        for (var i = 0; i < 40; i++)
        {
            var change = await feed.NextChangeAsync();
            Assert.StartsWith($"{i:D3} ", change.Request.Message, StringComparison.Ordinal);
            replayed.Add(change.Revision);
        }
        Assert.Equal(Enumerable.Range((int)start + 1, 40).Select(r => (long)r), replayed);
        var progress = await feed.NextAsync();
        Assert.Equal(WatchRequestsResponse.EventOneofCase.Progress, progress.EventCase);
        Assert.Equal(replayed[^1], progress.Progress.Revision);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Watch_WhileIdle_SendsProgressWithCurrentRevision()
    {
        await using var server = await StartAsync();
        await server.SubmitAsync();
        using var cts = new CancellationTokenSource();
        using var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        var feed = new WatchFeed(call);
        var snapshot = await feed.ReadSnapshotAsync();
        var progress = await feed.NextAsync();
        Assert.Equal(WatchRequestsResponse.EventOneofCase.Progress, progress.EventCase);
        Assert.Equal(snapshot.Revision, progress.Progress.Revision);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Watch_ResumeFromCompactedRevision_SendsResetThenFreshSnapshot()
    {
        await using var server = await StartAsync(o => o.ChangeLogRetention = 10);
        for (var i = 0; i < 40; i++)
        {
            await server.SubmitAsync($"r{i}");
        }
        await server.Services.GetRequiredService<Store.StoreLifetime>().CompactAsync().DefaultTimeout();

        using var cts = new CancellationTokenSource();
        using var call = server.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = 2 }, Streaming(Anna, cts.Token));
        var feed = new WatchFeed(call);
        var reset = await feed.NextAsync();
        Assert.Equal(WatchRequestsResponse.EventOneofCase.Reset, reset.EventCase);
        Assert.Equal("REVISION_COMPACTED", reset.Reset.Reason);
        var snapshot = await feed.ReadSnapshotAsync();
        Assert.Equal(40, snapshot.Requests.Count);
        Assert.Equal(40, snapshot.Revision);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Watch_ResumeFromFutureRevision_SendsResetThenSnapshot()
    {
        await using var server = await StartAsync();
        await server.SubmitAsync();
        using var cts = new CancellationTokenSource();
        using var call = server.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = 1_000 }, Streaming(Anna, cts.Token));
        var feed = new WatchFeed(call);
        Assert.Equal("REVISION_AHEAD", (await feed.NextAsync()).Reset.Reason);
        Assert.Single((await feed.ReadSnapshotAsync()).Requests);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task SlowWatcher_IsCutOffWithResourceExhausted_WhileOthersKeepUp()
    {
        await using var server = await StartAsync(o => o.Watch.SubscriberBuffer = 64);
        // The slow watcher is another workstation: its own connection, whose flow-control window it stops draining.
        using var slowChannel = server.NewChannel();
        using var slowCts = new CancellationTokenSource();
        using var slow = new RequestService.RequestServiceClient(slowChannel).WatchRequests(new WatchRequestsRequest(), Streaming(Anna, slowCts.Token));
        var slowFeed = new WatchFeed(slow);
        await slowFeed.ReadSnapshotAsync();

        // The fast watcher reads as it should. On a starved machine even it may fall behind a 64-change
        // buffer; then it does what the contract says (resume at resume_revision) and must still see
        // every change exactly once, in order.
        using var fastCts = new CancellationTokenSource();
        var fastFirst = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(OperatorId(2), fastCts.Token));
        await new WatchFeed(fastFirst).ReadSnapshotAsync();

        // Big messages fill the transport windows quickly; the slow watcher reads nothing meanwhile.
        const int total = 1_500;
        var body = new string('щ', 2_000);
        var fastResumes = 0;
        var fastRead = Task.Run(async () =>
        {
            var call = fastFirst;
            var feed = new WatchFeed(call);
            var seen = 0L;
            while (seen < total)
            {
                try
                {
                    var change = await feed.NextChangeAsync();
                    Assert.Equal(seen + 1, change.Revision);
                    seen = change.Revision;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
                {
                    Assert.Equal((seen + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), RpcAssert.ErrorInfo(ex).Metadata["resume_revision"]);
                    call.Dispose();
                    fastResumes++;
                    call = server.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = seen + 1 }, Streaming(OperatorId(2), fastCts.Token));
                    feed = new WatchFeed(call);
                }
            }
            return (Seen: seen, Call: call);
        });
        for (var i = 0; i < total; i += 50)
        {
            await Task.WhenAll(Enumerable.Range(i, 50).Select(j => server.SubmitAsync(body + j)));
        }
        var (lastFast, fast) = await fastRead.DefaultTimeout();
        using var fastCall = fast;
        Assert.Equal(total, lastFast);

        var received = 0;
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (true)
            {
                var next = await slowFeed.NextAsync();
                if (next.EventCase == WatchRequestsResponse.EventOneofCase.Change)
                {
                    received++;
                }
            }
        }).DefaultTimeout();
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        var info = RpcAssert.ErrorInfo(ex);
        Assert.Equal("WATCH_TOO_SLOW", info.Reason);
        Assert.Equal((received + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), info.Metadata["resume_revision"]);
        Assert.True(received < total);
        Assert.Equal(1, server.Services.GetRequiredService<ChangeBroadcaster>().SubscriberCount);
        output.WriteLine($"slow watcher: cut off after {received} of {total} changes (buffer 64) with RESOURCE_EXHAUSTED; fast watcher received all {total} in order ({fastResumes} resumes)");
        await fastCts.CancelAsync();
    }

    [Fact]
    public async Task ServerShutdown_EndsWatchWithUnavailable()
    {
        var server = await StartAsync();
        await using (server)
        {
            using var cts = new CancellationTokenSource();
            using var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
            var feed = new WatchFeed(call);
            await feed.ReadSnapshotAsync();
            var stopping = server.StopAsync();
            var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                while (true)
                {
                    await feed.NextAsync();
                }
            }).DefaultTimeout();
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
            Assert.Equal("SHUTTING_DOWN", RpcAssert.ErrorInfo(ex).Reason);
            await stopping;
        }
    }

    private static Task CloseAsync(HotlineTestServer server, string name) =>
        server.Requests.CloseRequestAsync(new CloseRequestRequest { Name = name, Resolution = Resolution.Referred }, As(Supervisor)).ResponseAsync.DefaultTimeout();

    private static async Task<Dictionary<string, HelpRequest>> ListAllAsync(HotlineTestServer server)
    {
        var all = new Dictionary<string, HelpRequest>();
        var token = "";
        do
        {
            var page = await server.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 1_000, PageToken = token }, As(Supervisor)).ResponseAsync.DefaultTimeout();
            foreach (var r in page.Requests)
            {
                all[r.Name] = r;
            }
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return all;
    }
}

/// <summary>Reads a watch stream with a timeout on every message, skipping progress where a change is expected.</summary>
internal sealed class WatchFeed(AsyncServerStreamingCall<WatchRequestsResponse> call)
{
    public async Task<WatchRequestsResponse> NextAsync()
    {
        if (!await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
        {
            throw new InvalidOperationException("The watch stream ended.");
        }
        return call.ResponseStream.Current;
    }

    public async Task<RequestChange> NextChangeAsync()
    {
        while (true)
        {
            var next = await NextAsync();
            if (next.EventCase == WatchRequestsResponse.EventOneofCase.Change)
            {
                return next.Change;
            }
            Assert.Equal(WatchRequestsResponse.EventOneofCase.Progress, next.EventCase);
        }
    }

    public async Task<(Dictionary<string, HelpRequest> Requests, long Revision, int Pages)> ReadSnapshotAsync()
    {
        var requests = new Dictionary<string, HelpRequest>();
        var pages = 0;
        while (true)
        {
            var next = await NextAsync();
            switch (next.EventCase)
            {
                case WatchRequestsResponse.EventOneofCase.Snapshot:
                    pages++;
                    Assert.InRange(next.Snapshot.Requests.Count, 1, 100);
                    foreach (var r in next.Snapshot.Requests)
                    {
                        Assert.True(requests.TryAdd(r.Name, r), "a request appears once in a snapshot");
                    }
                    break;
                case WatchRequestsResponse.EventOneofCase.SnapshotEnd:
                    Assert.All(requests.Values, r => Assert.True(r.Revision <= next.SnapshotEnd.Revision));
                    return (requests, next.SnapshotEnd.Revision, pages);
                default:
                    throw new InvalidOperationException($"Unexpected {next.EventCase} inside a snapshot.");
            }
        }
    }
}
