using Hotline.Contract.V1;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests.Access;

/// <summary>An operator sees a requester's full contact handle only on a request they hold; supervisors and admins always.</summary>
public sealed class MaskingTests
{
    private const string Handle = "+7 900 123-45-42";
    private const string Masked = "•••••42";
    private static readonly string Anna = OperatorId(1);
    private static readonly string Timur = OperatorId(2);

    [Fact]
    public async Task GetAndList_ShowFullHandleOnlyToHolderAndSupervisors()
    {
        await using var server = await StartAsync();
        var name = await SubmitAsync(server);
        Assert.Equal(Masked, await HandleSeenByAsync(server, name, Anna));

        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, As(Anna)).ResponseAsync.DefaultTimeout();

        Assert.Equal(Handle, await HandleSeenByAsync(server, name, Anna));
        Assert.Equal(Masked, await HandleSeenByAsync(server, name, Timur));
        Assert.Equal(Handle, await HandleSeenByAsync(server, name, Supervisor));
        Assert.Equal(Handle, await HandleSeenByAsync(server, name, Administrator));
        foreach (var (viewer, expected) in new[] { (Anna, Handle), (Timur, Masked), (Supervisor, Handle) })
        {
            var list = await server.Requests.ListRequestsAsync(new ListRequestsRequest(), As(viewer)).ResponseAsync.DefaultTimeout();
            Assert.Equal(expected, list.Requests.Single().ContactHandle);
        }
    }

    [Fact]
    public async Task MutationResponses_AreMaskedForCallersWhoDoNotHoldTheRequest()
    {
        await using var server = await StartAsync();
        var name = await SubmitAsync(server);
        var toTimur = await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name, Assignee = "operators/" + Timur }, As(Anna)).ResponseAsync.DefaultTimeout();
        Assert.Equal(Masked, toTimur.Request.ContactHandle);
        var noted = await server.Requests.AddNoteAsync(new AddNoteRequest { Name = name, Text = "called" }, As(Timur)).ResponseAsync.DefaultTimeout();
        Assert.Equal(Handle, noted.Request.ContactHandle);
    }

    [Fact]
    public async Task Watch_MasksSnapshotReplayAndLiveChangesPerWatcher()
    {
        await using var server = await StartAsync();
        var first = await SubmitAsync(server);
        using var cts = new CancellationTokenSource();
        using var annaCall = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        using var timurCall = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Timur, cts.Token));
        using var supervisorCall = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Supervisor, cts.Token));
        var anna = new WatchFeed(annaCall);
        var timur = new WatchFeed(timurCall);
        var supervisor = new WatchFeed(supervisorCall);
        Assert.Equal(Masked, (await anna.ReadSnapshotAsync()).Requests[first].ContactHandle);
        Assert.Equal(Masked, (await timur.ReadSnapshotAsync()).Requests[first].ContactHandle);
        Assert.Equal(Handle, (await supervisor.ReadSnapshotAsync()).Requests[first].ContactHandle);

        var second = await SubmitAsync(server);
        Assert.Equal(Masked, (await anna.NextChangeAsync()).Request.ContactHandle);
        Assert.Equal(Masked, (await timur.NextChangeAsync()).Request.ContactHandle);
        Assert.Equal(Handle, (await supervisor.NextChangeAsync()).Request.ContactHandle);

        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = second }, As(Anna)).ResponseAsync.DefaultTimeout();
        Assert.Equal(Handle, (await anna.NextChangeAsync()).Request.ContactHandle);
        Assert.Equal(Masked, (await timur.NextChangeAsync()).Request.ContactHandle);
        Assert.Equal(Handle, (await supervisor.NextChangeAsync()).Request.ContactHandle);

        // Resuming replays from the change log, masked the same way.
        using var replayCall = server.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = 1 }, Streaming(Timur, cts.Token));
        var replay = new WatchFeed(replayCall);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Masked, (await replay.NextChangeAsync()).Request.ContactHandle);
        }
        await cts.CancelAsync();
    }

    private static async Task<string> SubmitAsync(HotlineTestServer server) =>
        (await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Channel = Channel.Phone,
            ContactHandle = Handle,
            Message = "call me",
        }, As(Intake)).ResponseAsync.DefaultTimeout()).Name;

    private static async Task<string> HandleSeenByAsync(HotlineTestServer server, string name, string viewer) =>
        (await server.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, As(viewer)).ResponseAsync.DefaultTimeout()).Request.ContactHandle;
}
