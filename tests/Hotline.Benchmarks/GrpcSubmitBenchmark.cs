using System.Diagnostics;
using Hotline.Contract.V1;

namespace Hotline.Benchmarks;

/// <summary>
/// SubmitRequest end to end over real HTTP/2 on loopback, against WhoAmI on the same server and
/// connection: a unary call that authenticates the caller and touches no storage. The ratio is
/// what storage (the writer, the commit, the checkpoint) adds per call.
/// </summary>
internal static class GrpcSubmitBenchmark
{
    private const int ConcurrentCallers = 16;

    public static async Task RunAsync(RunSize size)
    {
        Report.Section("3. End to end over gRPC: SubmitRequest on Kestrel at 127.0.0.1, client in the same process",
            "peer: OperatorService.WhoAmI (unary, no storage) on the same server and connection");
        await using var server = await BenchServer.StartAsync();
        using var channel = server.NewChannel();
        var intake = new IntakeService.IntakeServiceClient(channel);
        var operators = new OperatorService.OperatorServiceClient(channel);
        var submitP50 = new List<double>();
        var submitP99 = new List<double>();
        var whoP50 = new List<double>();
        var whoP99 = new List<double>();
        var submitRate = new List<double>();
        var whoRate = new List<double>();
        for (var rep = -1; rep < size.Repetitions; rep++)
        {
            var scale = rep < 0 ? 5 : 1;
            var prefix = Synthetic.NewKeyPrefix();
            var submits = await OneAtATimeAsync(size.SequentialCalls / scale,
                i => intake.SubmitRequestAsync(Synthetic.SubmitRequest(prefix + "s" + i), BenchServer.As(Synthetic.IntakeCaller)).ResponseAsync);
            var whos = await OneAtATimeAsync(size.SequentialCalls / scale,
                _ => operators.WhoAmIAsync(new WhoAmIRequest(), BenchServer.As(Synthetic.OperatorCaller)).ResponseAsync);
            var submitsPerSecond = await ConcurrentlyAsync(size.ConcurrentCalls / scale,
                i => intake.SubmitRequestAsync(Synthetic.SubmitRequest(prefix + "c" + i), BenchServer.As(Synthetic.IntakeCaller)).ResponseAsync);
            var whosPerSecond = await ConcurrentlyAsync(size.ConcurrentCalls / scale,
                _ => operators.WhoAmIAsync(new WhoAmIRequest(), BenchServer.As(Synthetic.OperatorCaller)).ResponseAsync);
            if (rep < 0)
            {
                continue;
            }
            submitP50.Add(submits.Percentile(50));
            submitP99.Add(submits.Percentile(99));
            whoP50.Add(whos.Percentile(50));
            whoP99.Add(whos.Percentile(99));
            submitRate.Add(submitsPerSecond);
            whoRate.Add(whosPerSecond);
        }
        Report.Columns("p50 / p99", "ratio p50      ratio p99");
        Report.Row("WhoAmI, one call at a time", Report.LatencyPair(Repeated.Median(whoP50), Repeated.Median(whoP99)), "1.00x          1.00x");
        Report.Row("SubmitRequest, one call at a time", Report.LatencyPair(Repeated.Median(submitP50), Repeated.Median(submitP99)),
            Report.Ratio(Repeated.MedianRatio(submitP50, whoP50)).PadRight(15) + Report.Ratio(Repeated.MedianRatio(submitP99, whoP99)));
        Report.Columns("calls/s", "ratio");
        Report.Row(Report.Invariant($"WhoAmI, {ConcurrentCallers} concurrent callers"), Report.Rate(Repeated.Median(whoRate)), "1.00x");
        Report.Row(Report.Invariant($"SubmitRequest, {ConcurrentCallers} concurrent callers"), Report.Rate(Repeated.Median(submitRate)),
            Report.Ratio(Repeated.MedianRatio(submitRate, whoRate)));
    }

    private static async Task<Latencies> OneAtATimeAsync<T>(int count, Func<int, Task<T>> call)
    {
        var latencies = new Latencies();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await call(i);
            latencies.Record(started, Stopwatch.GetTimestamp());
        }
        return latencies;
    }

    private static async Task<double> ConcurrentlyAsync<T>(int count, Func<int, Task<T>> call)
    {
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, ConcurrentCallers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await call(i);
            }
        })));
        return Repeated.PerSecond(count, started);
    }
}
