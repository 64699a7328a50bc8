using Grpc.Core;
using Grpc.Health.V1;
using Hotline.Server.Access;
using Hotline.Server.Live;
using Microsoft.Extensions.DependencyInjection;

namespace Hotline.Server.Tests.Access;

/// <summary>The health service's Watch needs no token, so a total cap is all that stops anyone from opening streams without end (issue 11, item 4, in part).</summary>
public sealed class HealthWatchLimitTests
{
    [Fact]
    public async Task HealthWatches_BeyondTheCap_AreRefused_CheckStillAnswers_AndAClosedOneFreesItsPlace()
    {
        await using var server = await HotlineTestServer.StartAsync(o => o.Watch.MaxHealthWatches = 2);
        var health = new Health.HealthClient(server.Channel);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var a = health.Watch(new HealthCheckRequest(), cancellationToken: first.Token);
        var b = health.Watch(new HealthCheckRequest(), cancellationToken: second.Token);
        Assert.True(await a.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());
        Assert.True(await b.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());

        using var third = health.Watch(new HealthCheckRequest());
        var refused = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, () => third.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());
        Assert.Equal("TOO_MANY_WATCHES", RpcAssert.ErrorInfo(refused).Reason);
        Assert.Equal("health", RpcAssert.ErrorInfo(refused).Metadata["limit"]);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving,
            (await health.CheckAsync(new HealthCheckRequest()).ResponseAsync.DefaultTimeout()).Status);

        await first.CancelAsync();
        a.Dispose();
        var limit = server.Services.GetRequiredService<HealthWatchLimit>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (limit.Open > 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Equal(1, limit.Open);
        using var fourth = health.Watch(new HealthCheckRequest());
        Assert.True(await fourth.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());
        await second.CancelAsync();
        b.Dispose();
    }
}
