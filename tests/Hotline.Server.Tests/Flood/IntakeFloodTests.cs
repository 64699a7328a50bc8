using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Google.Rpc;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests.Flood;

/// <summary>
/// Intake flooded at ten times its global limit from many callers, each on its own connection,
/// while an operator lists and claims. Prints operator latency unloaded and during the flood.
/// Timing is reported, not asserted: the machine is shared; what is asserted is that every
/// operator call succeeds and that the limits held. Runs alone, so the unloaded figures are not
/// measured against the other tests of this assembly.
/// </summary>
[Collection(Name)]
public sealed class IntakeFloodTests(ITestOutputHelper output)
{
    public const string Name = "Intake flood";

    private const int FloodCallers = 8;
    private const double GlobalPerSecond = 40;
    private const double PerCallerPerSecond = 10;
    private const double Overload = 10;
    private const int MaxOperatorRounds = 250;
    private const int Seeded = 400;

    /// <summary>Nothing here is closed, and total_size is counted exactly for open states (see ListRequestsResponse).</summary>
    private const string OpenOnly = "state != CLOSED";
    private static readonly TimeSpan OperatorPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan UnloadedPhase = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan FloodPhase = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task FloodAtTenTimesTheLimit_OperatorsKeepWorking()
    {
        await using var server = await StartAsync(o =>
            o.Intake = IntakeRateLimitTests.Limits(PerCallerPerSecond, (int)PerCallerPerSecond, GlobalPerSecond, (int)GlobalPerSecond));
        await IntakeRateLimitTests.AddIntakeCallersAsync(server, Enumerable.Range(0, FloodCallers).Select(Gateway));
        await SeedAsync(server);
        using var operatorChannel = server.NewChannel();
        var operatorClient = new RequestService.RequestServiceClient(operatorChannel);

        var unloaded = await OperateAsync(operatorClient, UnloadedPhase);

        using var stopFlood = new CancellationTokenSource();
        var flood = new FloodCounters();
        var floodClock = Stopwatch.StartNew();
        var flooders = Enumerable.Range(0, FloodCallers).Select(i => Task.Run(() => FloodAsync(server, Gateway(i), flood, stopFlood.Token))).ToList();
        await Task.Delay(500);
        var loaded = await OperateAsync(operatorClient, FloodPhase);
        await stopFlood.CancelAsync();
        await Task.WhenAll(flooders).WaitAsync(TimeSpan.FromSeconds(30));
        var floodSeconds = floodClock.Elapsed.TotalSeconds;

        var offeredPerSecond = flood.Offered / floodSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"flood: {FloodCallers} callers offered {flood.Offered} submissions in {floodSeconds:F1} s ({offeredPerSecond:F0}/s = {offeredPerSecond / GlobalPerSecond:F1}x the global limit of {GlobalPerSecond}/s); admitted {flood.Admitted}, refused {flood.RefusedByCaller} by the caller limit and {flood.RefusedByGlobal} by the global limit, {flood.Skipped} not sent (32 in flight per caller)"));
        if (File.Exists("/proc/loadavg"))
        {
            output.WriteLine($"machine load average (1, 5, 15 min): {string.Join(' ', (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ').Take(3))} on {Environment.ProcessorCount} cores");
        }
        Report("ListRequests", unloaded.List, loaded.List);
        Report("AssignRequest", unloaded.Assign, loaded.Assign);

        Assert.Equal(0, flood.Failed);
        Assert.True(offeredPerSecond >= GlobalPerSecond * Overload * 0.5, "the flood reached several times the limit");
        Assert.InRange(flood.Admitted, 1, GlobalPerSecond + (GlobalPerSecond * floodSeconds) + 5);
        Assert.True(flood.RefusedByCaller + flood.RefusedByGlobal > flood.Admitted * 3);
        var stored = await server.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 1, Filter = OpenOnly }, As(Supervisor)).ResponseAsync.DefaultTimeout();
        Assert.Equal(Seeded + flood.Admitted, stored.TotalSize);
    }

    private static string Gateway(int i) => $"gateway-{i}";

    /// <summary>Requests for the operator to claim, stored directly so that seeding spends no intake budget.</summary>
    private static async Task SeedAsync(HotlineTestServer server)
    {
        var store = server.Services.GetRequiredService<IRequestStore>();
        await Task.WhenAll(Enumerable.Range(0, Seeded).Select(i => store.SubmitAsync(new NewHelpRequest
        {
            IntakeRequestId = $"seed-{i}",
            SubmittedBy = Intake,
            Channel = Domain.Channel.WebForm,
            Message = $"seeded {i}",
            Urgency = Domain.Urgency.Routine,
        }, CancellationToken.None))).DefaultTimeout();
    }

    /// <summary>An operator's loop for <paramref name="phase"/>: list what is new, claim the first; every call must succeed.</summary>
    private static async Task<(List<double> List, List<double> Assign)> OperateAsync(RequestService.RequestServiceClient client, TimeSpan phase)
    {
        var list = new List<double>();
        var assign = new List<double>();
        var phaseStarted = Stopwatch.GetTimestamp();
        for (var round = 0; round < MaxOperatorRounds && Stopwatch.GetElapsedTime(phaseStarted) < phase; round++)
        {
            var started = Stopwatch.GetTimestamp();
            var page = await client.ListRequestsAsync(new ListRequestsRequest { Filter = "state = NEW", PageSize = 20 }, As(OperatorId(1))).ResponseAsync.DefaultTimeout();
            list.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.NotEmpty(page.Requests);

            started = Stopwatch.GetTimestamp();
            await client.AssignRequestAsync(new AssignRequestRequest { Name = page.Requests[0].Name, Etag = page.Requests[0].Etag }, As(OperatorId(1))).ResponseAsync.DefaultTimeout();
            assign.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await Task.Delay(OperatorPause);
        }
        return (list, assign);
    }

    /// <summary>One caller offering its share of ten times the global limit at a steady pace, without waiting for answers.</summary>
    private static async Task FloodAsync(HotlineTestServer server, string caller, FloodCounters counters, CancellationToken stop)
    {
        using var channel = server.NewChannel();
        var client = new IntakeService.IntakeServiceClient(channel);
        var interval = TimeSpan.FromSeconds(FloodCallers / (GlobalPerSecond * Overload));
        using var inFlight = new SemaphoreSlim(32);
        var calls = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        for (long sent = 0; !stop.IsCancellationRequested; sent++)
        {
            var due = interval * sent - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(due, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            if (!await inFlight.WaitAsync(0))
            {
                Interlocked.Increment(ref counters.Skipped);
                continue;
            }
            Interlocked.Increment(ref counters.Offered);
            calls.Add(SubmitOnceAsync(client, caller, sent, counters).ContinueWith(_ => inFlight.Release(), TaskScheduler.Default));
        }
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(25));
    }

    private static async Task SubmitOnceAsync(IntakeService.IntakeServiceClient client, string caller, long sequence, FloodCounters counters)
    {
        try
        {
            await client.SubmitRequestAsync(new SubmitRequestRequest
            {
                RequestId = $"{caller}-{sequence}",
                Channel = Contract.V1.Channel.Sms,
                Message = "flood " + sequence.ToString(CultureInfo.InvariantCulture),
            }, As(caller));
            Interlocked.Increment(ref counters.Admitted);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted
            && ex.GetRpcStatus()?.GetDetail<RetryInfo>() is not null && ex.GetRpcStatus()?.GetDetail<ErrorInfo>() is { } info)
        {
            Interlocked.Increment(ref info.Metadata["limit"] == "caller" ? ref counters.RefusedByCaller : ref counters.RefusedByGlobal);
        }
        catch (RpcException)
        {
            Interlocked.Increment(ref counters.Failed);
        }
    }

    private void Report(string method, List<double> unloaded, List<double> loaded)
    {
        var (p50, p99) = (Percentile(unloaded, 0.50), Percentile(unloaded, 0.99));
        var (f50, f99) = (Percentile(loaded, 0.50), Percentile(loaded, 0.99));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{method,-14} unloaded p50 {p50,6:F2} ms p99 {p99,6:F2} ms | flood p50 {f50,6:F2} ms p99 {f99,6:F2} ms | ratio p50 {f50 / p50:F2}x p99 {f99 / p99:F2}x ({loaded.Count} calls each)"));
    }

    private static double Percentile(List<double> samples, double p)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private sealed class FloodCounters
    {
        public long Offered;
        public long Skipped;
        public long Admitted;
        public long RefusedByCaller;
        public long RefusedByGlobal;
        public long Failed;
    }
}

[CollectionDefinition(IntakeFloodTests.Name, DisableParallelization = true)]
public sealed class IntakeFloodCollection;
