using Grpc.Core;
using Hotline.Contract.V1;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests.Access;

/// <summary>
/// One token cannot multiply the cost of watch streams: beyond its own limit, and beyond the
/// server's, a new stream is refused with a reason, and the others carry on.
/// </summary>
public sealed class WatchLimitTests
{
    private const string Anna = "op01";

    [Fact]
    public async Task StreamsBeyondTheCallersLimit_AreRefused_WhileOthersStillWatch_AndAClosedOneFreesItsPlace()
    {
        await using var server = await StartAsync(o => o.Watch.MaxStreamsPerCaller = 2);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var first = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        using var second = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        await new WatchFeed(first).ReadSnapshotAsync();
        await new WatchFeed(second).ReadSnapshotAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var third = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
            await new WatchFeed(third).NextAsync();
        }).DefaultTimeout();
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        var info = RpcAssert.ErrorInfo(refused);
        Assert.Equal("TOO_MANY_WATCHES", info.Reason);
        Assert.Equal("caller", info.Metadata["limit"]);

        using var colleague = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Supervisor, cts.Token));
        await new WatchFeed(colleague).ReadSnapshotAsync();

        // Closing one of Anna's streams gives its place back once the server has seen it go.
        first.Dispose();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var again = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
                await new WatchFeed(again).ReadSnapshotAsync();
                break;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    [Fact]
    public async Task StreamsBeyondTheServersLimit_AreRefusedWhoeverAsks()
    {
        await using var server = await StartAsync(o =>
        {
            o.Watch.MaxStreamsPerCaller = 2;
            o.Watch.MaxStreams = 3;
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var a = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        using var b = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        using var c = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Supervisor, cts.Token));
        foreach (var call in new[] { a, b, c })
        {
            await new WatchFeed(call).ReadSnapshotAsync();
        }

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var fourth = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(OperatorId(2), cts.Token));
            await new WatchFeed(fourth).NextAsync();
        }).DefaultTimeout();
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal("server", RpcAssert.ErrorInfo(refused).Metadata["limit"]);
    }
}
