using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.V1;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// Thousands of random and malformed inputs through real gRPC to the real server process, every
/// service: submissions, filters, order_by, page tokens, names, etags, update masks, watch
/// revisions, raw bytes as any method's message and raw HTTP/2 bodies. None may come back
/// INTERNAL or UNKNOWN, the process must stay up, its log must hold no error, and a trivial call
/// made alongside must stay fast throughout (issue 11: the review sent 2,000 and saw 153 UNKNOWN).
/// CI sends 3,000 inputs from a new seed each run; the seed is printed, and
/// <c>HOTLINE_FUZZ_SEED=N HOTLINE_FUZZ_COUNT=M</c> repeats a run or sends more (see the README).
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class FuzzTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Far above what a trivial call takes on a loaded 2-core machine (milliseconds): only a server that stalls fails it.</summary>
    private static readonly TimeSpan TrivialCallP99Limit = TimeSpan.FromSeconds(1);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-fuzz-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task RandomAndMalformedInputs_ToEveryService_GetNoInternalOrUnknown_AndTheServerStaysUpAndFast()
    {
        var seed = EnvironmentNumber("HOTLINE_FUZZ_SEED", Random.Shared.Next(1, int.MaxValue));
        var count = EnvironmentNumber("HOTLINE_FUZZ_COUNT", 3_000);
        output.WriteLine($"HOTLINE_FUZZ_SEED={seed} HOTLINE_FUZZ_COUNT={count} repeats this run's inputs.");
        await using var server = await ServerProcess.StartAsync(_dataDirectory);
        using var channel = GrpcChannel.ForAddress(server.Address);
        using var http = RawGrpc.NewHttpClient();
        var targets = await TargetsAsync(server.Address, channel, http);
        var inputs = new FuzzInputs(new Random(seed), targets);
        targets.AddSeeds(inputs);
        var logged = server.Output.Length;

        using var stopProbe = new CancellationTokenSource();
        var probe = ProbeAsync(server.Address, stopProbe.Token);
        var outcomes = new SortedDictionary<string, SortedDictionary<string, int>>(StringComparer.Ordinal);
        var forbidden = new List<string>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        for (; sent < count && !server.HasExited; sent++)
        {
            var input = inputs.Next();
            string outcome;
            try
            {
                outcome = await input.Send().DefaultTimeout();
            }
            catch (Exception ex) when (ex is not TimeoutException)
            {
                // The client gave up before any status (a reset stream, say): not a status the server chose.
                outcome = "client-side " + ex.GetType().Name;
            }
            Count(outcomes, outcome, input.Kind);
            if (outcome is nameof(StatusCode.Internal) or nameof(StatusCode.Unknown) or "200 without grpc-status" || outcome.StartsWith("HTTP 5", StringComparison.Ordinal))
            {
                forbidden.Add($"input #{sent} ({input.Kind}): {outcome}");
            }
        }
        var elapsed = clock.Elapsed;
        await stopProbe.CancelAsync();
        var (latencies, probeFailures) = await probe.DefaultTimeout();
        var log = server.Output[logged..];
        var alive = !server.HasExited;

        var p50 = Percentile(latencies, 0.50);
        var p99 = Percentile(latencies, 0.99);
        output.WriteLine($"{sent} inputs in {elapsed.TotalSeconds:F1} s; server alive: {alive}");
        output.WriteLine("statuses: " + string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value.Values.Sum()}")));
        foreach (var (outcome, kinds) in outcomes)
        {
            output.WriteLine($"  {outcome} from " + string.Join(", ", kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}")));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"WhoAmI alongside: {latencies.Count} calls, {probeFailures} failed, p50 {p50:F1} ms, p99 {p99:F1} ms, max {(latencies.Count > 0 ? latencies.Max() : 0):F1} ms"));
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine($"the server logged {lines.Length} lines, {System.Text.Encoding.UTF8.GetByteCount(log)} bytes: " +
            string.Join(", ", lines.CountBy(LogEvent).OrderByDescending(e => e.Value).Select(e => $"{e.Key} {e.Value}")));
        foreach (var line in lines.Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)).Take(5))
        {
            output.WriteLine(line.Length > 2_000 ? line[..2_000] + "…" : line);
        }
        Assert.True(alive, $"The server exited (seed {seed}):\n{Tail(server.Output)}");
        Assert.True(forbidden.Count == 0, $"Seed {seed}: {forbidden.Count} inputs got a forbidden status:\n{string.Join('\n', forbidden.Take(20))}");
        Assert.Equal(0, probeFailures);
        Assert.True(p99 < TrivialCallP99Limit.TotalMilliseconds, $"Seed {seed}: WhoAmI p99 {p99:F0} ms while fuzzing.");
        Assert.DoesNotContain(" fail: ", log, StringComparison.Ordinal);
        Assert.DoesNotContain(" crit: ", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", log, StringComparison.Ordinal);
    }

    /// <summary>A few real requests, so inputs can start from names, etags and page tokens the server issued.</summary>
    private static async Task<FuzzTargets> TargetsAsync(Uri address, GrpcChannel channel, HttpClient http)
    {
        var intake = new IntakeService.IntakeServiceClient(channel);
        var requests = new RequestService.RequestServiceClient(channel);
        var audit = new AuditService.AuditServiceClient(channel);
        var names = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var receipt = await intake.SubmitRequestAsync(new SubmitRequestRequest
            {
                RequestId = "seed-" + i.ToString(CultureInfo.InvariantCulture),
                Channel = Channel.Sms,
                ContactHandle = "+4915112345" + i.ToString("00", CultureInfo.InvariantCulture),
                Language = "ru",
                Message = "Нужна помощь " + i.ToString(CultureInfo.InvariantCulture),
                Urgency = (Urgency)(1 + (i % 3)),
            }, ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
            names.Add(receipt.Name);
        }
        var anna = ServerProcess.As(ServerProcess.Operator);
        await requests.AssignRequestAsync(new AssignRequestRequest { Name = names[0] }, anna).ResponseAsync.DefaultTimeout();
        var etags = new List<string>();
        foreach (var name in names.Take(4))
        {
            etags.Add((await requests.GetRequestAsync(new GetRequestRequest { Name = name }, anna).ResponseAsync.DefaultTimeout()).Request.Etag);
        }
        var first = await requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 2 }, anna).ResponseAsync.DefaultTimeout();
        var byNumber = await requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 3, Filter = "state = NEW", OrderBy = "number desc" }, anna)
            .ResponseAsync.DefaultTimeout();
        var events = await audit.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 2 }, ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout();
        return new FuzzTargets
        {
            Address = address,
            Channel = channel,
            Http = http,
            Names = names,
            Etags = etags,
            PageTokens = [first.NextPageToken, byNumber.NextPageToken, events.NextPageToken],
            Revision = first.Revision,
        };
    }

    /// <summary>WhoAmI every 20 ms on a connection of its own, as another console would call while the fuzz runs.</summary>
    private static async Task<(List<double> Milliseconds, int Failures)> ProbeAsync(Uri address, CancellationToken stop)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var operators = new OperatorService.OperatorServiceClient(channel);
        var latencies = new List<double>();
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await operators.WhoAmIAsync(new WhoAmIRequest(), ServerProcess.As(ServerProcess.Operator)).ResponseAsync;
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (RpcException)
            {
                failures++;
            }
            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
        return (latencies, failures);
    }

    /// <summary>The level, category and event id of a log line: <c>info: Hotline.Server.RefusalLog[5]</c>.</summary>
    private static string LogEvent(string line)
    {
        var start = line.IndexOf(' ', StringComparison.Ordinal) + 1;
        var end = line.IndexOf(']', start);
        return start > 0 && end > start ? line[start..(end + 1)] : "(other)";
    }

    private static double Percentile(List<double> values, double fraction)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static void Count(SortedDictionary<string, SortedDictionary<string, int>> outcomes, string outcome, string kind)
    {
        if (!outcomes.TryGetValue(outcome, out var kinds))
        {
            outcomes[outcome] = kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        }
        kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
    }

    private static int EnvironmentNumber(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private static string Tail(string text) => text.Length > 6_000 ? text[^6_000..] : text;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
