using Grpc.Core;
using Hotline.Contract.V1;
using Microsoft.Extensions.Time.Testing;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests;

public sealed class StatsServiceTests
{
    private static readonly string Anna = OperatorId(1);
    private static readonly string Boris = OperatorId(2);
    private static readonly DateTimeOffset Morning = new(2026, 3, 10, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task QueueStats_CountOpenRequestsByUrgencyAndState_WithTheOldestUnclaimedAndItsAge()
    {
        var time = new FakeTimeProvider(Morning);
        await using var server = await StartAsync(time: time);
        var stats = new StatsService.StatsServiceClient(server.Channel);
        var firstDanger = await server.SubmitAsync("first", Urgency.ImmediateDanger);
        time.Advance(TimeSpan.FromMinutes(3));
        var secondDanger = await server.SubmitAsync("second", Urgency.ImmediateDanger);
        var routine = await server.SubmitAsync("routine", Urgency.Routine);
        time.Advance(TimeSpan.FromMinutes(17));
        await AssignAsync(server, firstDanger.Name, Anna);
        await AssignAsync(server, routine.Name, Anna);
        await server.Requests.UpdateRequestAsync(new UpdateRequestRequest
        {
            Request = new HelpRequest { Name = routine.Name, State = RequestState.Waiting },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "state" } },
        }, As(Anna)).ResponseAsync.DefaultTimeout();

        var figures = await stats.GetQueueStatsAsync(new GetQueueStatsRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout();

        Assert.Equal([Urgency.ImmediateDanger, Urgency.Urgent, Urgency.Routine], figures.Urgencies.Select(u => u.Urgency));
        var danger = figures.Urgencies[0];
        Assert.Equal((1, 1, 0), (danger.Unclaimed, danger.Assigned, danger.Waiting));
        Assert.Equal(secondDanger.CreateTime, danger.OldestUnclaimedCreateTime);
        Assert.Equal(TimeSpan.FromMinutes(17), danger.OldestUnclaimedAge.ToTimeSpan());
        Assert.Equal((0, 0, 0), (figures.Urgencies[1].Unclaimed, figures.Urgencies[1].Assigned, figures.Urgencies[1].Waiting));
        Assert.Null(figures.Urgencies[1].OldestUnclaimedAge);
        Assert.Equal((0, 0, 1), (figures.Urgencies[2].Unclaimed, figures.Urgencies[2].Assigned, figures.Urgencies[2].Waiting));
        var anna = Assert.Single(figures.Operators);
        Assert.Equal(("operators/" + Anna, 2, false), (anna.Operator, anna.Held, anna.Connected));
        Assert.Equal(firstDanger.CreateTime, anna.OldestHeldCreateTime);
    }

    [Fact]
    public async Task TodayFigures_CountReceivedClaimedClosed_WithMedianAndP90TimeToFirstClaim()
    {
        var time = new FakeTimeProvider(Morning.AddDays(-1).AddHours(15));
        await using var server = await StartAsync(time: time);
        var stats = new StatsService.StatsServiceClient(server.Channel);
        var yesterday = await server.SubmitAsync("from yesterday");
        time.SetUtcNow(Morning);
        var today = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            today.Add((await server.SubmitAsync($"today {i}")).Name);
        }
        // Claimed after 1, 2, ... 10 minutes; the first is then released and claimed again, which must not count twice.
        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await AssignAsync(server, today[i], Anna);
        }
        await server.Requests.ReleaseRequestAsync(new ReleaseRequestRequest { Name = today[0] }, As(Anna)).ResponseAsync.DefaultTimeout();
        await AssignAsync(server, today[0], Boris);
        await AssignAsync(server, yesterday.Name, Boris);
        foreach (var name in today.Take(2))
        {
            await server.Requests.CloseRequestAsync(new CloseRequestRequest { Name = name, Resolution = Resolution.Referred }, As(Supervisor)).ResponseAsync.DefaultTimeout();
        }

        var day = (await stats.GetQueueStatsAsync(new GetQueueStatsRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout()).Today;

        Assert.Equal(new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero), day.StartTime.ToDateTimeOffset());
        Assert.Equal("UTC", day.TimeZone);
        Assert.Equal((10, 11, 2), (day.Received, day.Claimed, day.Closed));
        // Eleven first claims: 1..10 minutes, and the one from yesterday after 9 h 10 min. Nearest rank:
        // the median is the 6th smallest, the 90th percentile the 10th.
        Assert.Equal(TimeSpan.FromMinutes(6), day.MedianTimeToClaim.ToTimeSpan());
        Assert.Equal(TimeSpan.FromMinutes(10), day.P90TimeToClaim.ToTimeSpan());

        time.SetUtcNow(Morning.AddDays(1));
        var tomorrow = (await stats.GetQueueStatsAsync(new GetQueueStatsRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout()).Today;
        Assert.Equal((0, 0, 0), (tomorrow.Received, tomorrow.Claimed, tomorrow.Closed));
        Assert.Null(tomorrow.MedianTimeToClaim);
        Assert.Null(tomorrow.P90TimeToClaim);
    }

    [Fact]
    public async Task TodayFigures_StartAtMidnightInTheConfiguredTimeZone()
    {
        var time = new FakeTimeProvider(Morning);
        await using var server = await StartAsync(s => s.Stats.TimeZone = "Asia/Tokyo", time: time);
        var stats = new StatsService.StatsServiceClient(server.Channel);

        var day = (await stats.GetQueueStatsAsync(new GetQueueStatsRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout()).Today;

        // 08:00 UTC is 17:00 in Tokyo (UTC+9, no daylight saving): the day began at 15:00 UTC the day before.
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 15, 0, 0, TimeSpan.Zero), day.StartTime.ToDateTimeOffset());
        Assert.Equal("Asia/Tokyo", day.TimeZone);
    }

    [Fact]
    public async Task Presence_FollowsTheOperatorsWatchStream()
    {
        await using var server = await StartAsync();
        var stats = new StatsService.StatsServiceClient(server.Channel);
        using var cts = new CancellationTokenSource();
        using (var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Boris, cts.Token)))
        {
            await new WatchFeed(call).ReadSnapshotAsync();

            var connected = await stats.GetQueueStatsAsync(new GetQueueStatsRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout();
            var boris = Assert.Single(connected.Operators);
            Assert.Equal(("operators/" + Boris, 0, true), (boris.Operator, boris.Held, boris.Connected));
            Assert.Null(boris.OldestHeldCreateTime);
            await cts.CancelAsync();
        }

        await Eventually(async () =>
            (await stats.GetQueueStatsAsync(new GetQueueStatsRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout()).Operators.Count == 0);
    }

    [Fact]
    public async Task QueueStats_ForAnOperator_IsPermissionDenied()
    {
        await using var server = await StartAsync();
        var stats = new StatsService.StatsServiceClient(server.Channel);

        var info = await RpcAssert.FailsWithReasonAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED",
            () => stats.GetQueueStatsAsync(new GetQueueStatsRequest(), As(Anna)).ResponseAsync);

        Assert.Equal("supervisor", info.Metadata["required_role"], ignoreCase: true);
    }

    private static Task AssignAsync(HotlineTestServer server, string name, string operatorId) =>
        server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, As(operatorId)).ResponseAsync.DefaultTimeout();

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(50);
        }
    }
}
