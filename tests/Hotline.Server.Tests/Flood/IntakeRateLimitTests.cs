using System.Diagnostics;
using System.Globalization;
using Google.Rpc;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Flood;
using Hotline.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests.Flood;

public sealed class IntakeRateLimitTests
{
    private const string SecondIntake = "sms-gateway";

    /// <summary>Nothing here is closed, and total_size is counted exactly for open states (see ListRequestsResponse).</summary>
    private const string OpenOnly = "state != CLOSED";

    [Fact]
    public async Task PastTheCallerLimit_ResourceExhaustedWithRetryInfo_AndNothingStored()
    {
        await using var server = await StartAsync(o => o.Intake = Limits(perCaller: 0.01, burst: 3, global: 1_000, globalBurst: 1_000));
        for (var i = 0; i < 3; i++)
        {
            await server.SubmitAsync($"admitted {i}");
        }

        var refused = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, () => server.SubmitAsync("one too many"));

        var info = RpcAssert.ErrorInfo(refused);
        Assert.Equal(ErrorReasons.RateLimited, info.Reason);
        Assert.Equal("caller", info.Metadata["limit"]);
        var delay = refused.GetRpcStatus()!.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan();
        Assert.InRange(delay, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(101));
        Assert.Equal((long)delay.TotalMilliseconds, long.Parse(refused.Trailers.GetValue("grpc-retry-pushback-ms")!, CultureInfo.InvariantCulture));
        Assert.DoesNotContain("one too many", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(3, await CountStoredAsync(server));
    }

    [Fact]
    public async Task PastTheGlobalLimit_EveryCallerIsRefused()
    {
        await using var server = await StartAsync(o => o.Intake = Limits(perCaller: 1_000, burst: 1_000, global: 0.01, globalBurst: 2));
        await AddIntakeCallersAsync(server, [SecondIntake]);
        await server.SubmitAsync("first");
        await server.SubmitAsync("second");

        var refused = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, () => SubmitAsAsync(server, SecondIntake, "third"));

        var info = RpcAssert.ErrorInfo(refused);
        Assert.Equal(ErrorReasons.RateLimited, info.Reason);
        Assert.Equal("global", info.Metadata["limit"]);
        Assert.True(refused.GetRpcStatus()!.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan() >= TimeSpan.FromSeconds(90));
        Assert.Equal(2, await CountStoredAsync(server));
    }

    [Fact]
    public async Task RetryAfterTheDelay_WithTheSameRequestId_IsStoredOnce()
    {
        await using var server = await StartAsync(o => o.Intake = Limits(perCaller: 5, burst: 1, global: 1_000, globalBurst: 1_000));
        await server.SubmitAsync("first");

        var refused = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, () => server.SubmitAsync("second", requestId: "webhook-7"));
        var delay = refused.GetRpcStatus()!.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan();
        Assert.InRange(delay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(206));
        await Task.Delay(delay);
        var receipt = await server.SubmitAsync("second", requestId: "webhook-7");

        Assert.False(receipt.Duplicate);
        Assert.Equal(2, await CountStoredAsync(server));
    }

    [Fact]
    public async Task OperatorCalls_NeverMeetTheIntakeLimits()
    {
        await using var server = await StartAsync(o => o.Intake = Limits(perCaller: 0.01, burst: 1, global: 0.01, globalBurst: 1));
        var name = (await server.SubmitAsync()).Name;
        await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, () => server.SubmitAsync());

        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            await server.Requests.ListRequestsAsync(new ListRequestsRequest(), As(OperatorId(1))).ResponseAsync.DefaultTimeout();
            await server.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, As(OperatorId(2))).ResponseAsync.DefaultTimeout();
            await server.Operators.WhoAmIAsync(new WhoAmIRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout();
        }
        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, As(OperatorId(1))).ResponseAsync.DefaultTimeout();
        await server.Requests.AddNoteAsync(new AddNoteRequest { Name = name, Text = "called back" }, As(OperatorId(1))).ResponseAsync.DefaultTimeout();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20));
        await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, () => server.SubmitAsync());
    }

    /// <summary>Extra intake accounts: the one place these tests name how the test server learns its accounts.</summary>
    internal static Task AddIntakeCallersAsync(HotlineTestServer server, IEnumerable<string> ids)
    {
        var directory = server.Services.GetRequiredService<OperatorDirectory>();
        return Task.WhenAll(ids.Select(id => directory.ExecuteAsync(
            new AddOperatorCommand(id, id, Role.Intake, AccessTokens.Hash(TokenOf(id))), CancellationToken.None))).DefaultTimeout();
    }

    internal static IntakeOptions Limits(double perCaller, int burst, double global, int globalBurst) =>
        new() { PerCallerPerSecond = perCaller, Burst = burst, GlobalPerSecond = global, GlobalBurst = globalBurst };

    internal static Task<SubmitRequestResponse> SubmitAsAsync(HotlineTestServer server, string caller, string message) =>
        server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Channel = Contract.V1.Channel.Sms,
            Message = message,
        }, As(caller)).ResponseAsync;

    private static async Task<int> CountStoredAsync(HotlineTestServer server) =>
        (await server.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 1, Filter = OpenOnly }, As(Supervisor)).ResponseAsync.DefaultTimeout()).TotalSize;
}
