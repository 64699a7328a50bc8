using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Hotline.Contract.V1;
using Hotline.Server.Access;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests.Access;

public sealed class RateLimitTests
{
    [Fact]
    public async Task FailedAuthentications_PastTheLimit_AreRefusedAsRateLimitedWithARetryDelay()
    {
        await using var server = await StartAsync(o => o.Authentication.MaxFailures = 5);
        var bad = new CallOptions(new Metadata { { "authorization", "Bearer " + Domain.AccessTokens.New() } }, DateTime.UtcNow.AddSeconds(20));
        for (var i = 0; i < 5; i++)
        {
            await RpcAssert.FailsWithReasonAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED",
                () => server.Operators.WhoAmIAsync(new WhoAmIRequest(), bad).ResponseAsync);
        }

        // A disabled account's key is refused the same way: it is not a way in.
        foreach (var refused in new[] { bad, As(Disabled) })
        {
            var ex = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted,
                () => server.Operators.WhoAmIAsync(new WhoAmIRequest(), refused).ResponseAsync);
            Assert.Equal("RATE_LIMITED", RpcAssert.ErrorInfo(ex).Reason);
            var retry = ex.GetRpcStatus()!.GetDetail<RetryInfo>();
            Assert.NotNull(retry);
            Assert.InRange(retry.RetryDelay.ToTimeSpan(), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        }
        // Health stays reachable: it needs no token.
        await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.DefaultTimeout();
    }

    [Fact]
    public async Task NeighbourPastTheLimit_NeverLocksOutAValidToken()
    {
        await using var server = await StartAsync(o => o.Authentication.MaxFailures = 5);
        // A broken gateway (a revoked key) on the same address as the operators, well past the limit.
        var revoked = new CallOptions(new Metadata { { "authorization", "Bearer " + Domain.AccessTokens.New() } }, DateTime.UtcNow.AddSeconds(20));
        for (var i = 0; i < 12; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => server.Operators.WhoAmIAsync(new WhoAmIRequest(), revoked).ResponseAsync).DefaultTimeout();
        }

        var me = await server.Operators.WhoAmIAsync(new WhoAmIRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout();
        Assert.Equal("operators/" + Supervisor, me.Operator.Name);
        var receipt = await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "neighbour-1", Channel = Channel.Sms, Message = "still served" },
            As(Intake)).ResponseAsync.DefaultTimeout();
        Assert.Equal(1, receipt.Number);
        await RpcAssert.FailsAsync(StatusCode.ResourceExhausted,
            () => server.Operators.WhoAmIAsync(new WhoAmIRequest(), revoked).ResponseAsync);
    }

    [Fact]
    public void Limiter_CountsPerSource_AndForgetsAfterTheWindow()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var limiter = new FailedAuthenticationLimiter(time, Options.Create(new AuthenticationOptions { MaxFailures = 3, FailureWindow = TimeSpan.FromSeconds(60) }));
        Assert.False(limiter.RecordFailure("10.0.0.1"));
        Assert.False(limiter.RecordFailure("10.0.0.1"));
        Assert.Null(limiter.RetryAfter("10.0.0.1"));
        Assert.True(limiter.RecordFailure("10.0.0.1"));
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(40), limiter.RetryAfter("10.0.0.1"));
        Assert.Null(limiter.RetryAfter("10.0.0.2"));
        time.Advance(TimeSpan.FromSeconds(40));
        Assert.Null(limiter.RetryAfter("10.0.0.1"));
    }

    [Fact]
    public void Sources_GroupIpv6By64_AndUnwrapMappedIpv4()
    {
        Assert.Equal("2001:db8:1:2::/64", FailedAuthenticationLimiter.SourceOf(System.Net.IPAddress.Parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
        Assert.Equal("2001:db8:1:2::/64", FailedAuthenticationLimiter.SourceOf(System.Net.IPAddress.Parse("2001:db8:1:2::1")));
        Assert.Equal("192.0.2.7", FailedAuthenticationLimiter.SourceOf(System.Net.IPAddress.Parse("::ffff:192.0.2.7")));
    }
}
