using System.Diagnostics;
using Hotline.Contract.V1;

namespace Hotline.Benchmarks;

/// <summary>
/// SubmitRequest and an audited GetRequest end to end over real HTTP/2 on loopback, one caller and
/// 64 at once. Peers in the same run: raw LiteDB doing one transaction and one checkpoint per insert
/// (what one durable write costs without group commit, the figure intake is held to) and WhoAmI on
/// the same server and connection (a unary call that authenticates the caller and touches no
/// storage: what a read would cost without its audit record). The CPU figure is the whole
/// process's, client included, per call.
/// </summary>
internal static class GrpcSubmitBenchmark
{
    private const int ManyCallers = 64;

    public static async Task RunAsync(RunSize size)
    {
        Report.Section("3. End to end over gRPC: SubmitRequest and audited GetRequest on Kestrel at 127.0.0.1, client in the same process",
            "peers: raw LiteDB, one transaction + Checkpoint per insert (same disk, same run); OperatorService.WhoAmI (unary, no storage) on the same server;\n" +
            "         raw LiteDB writing the documents one submit writes (SchemaPeer, see section 1), one submit and 48 per transaction (about what the writer groups at 64 callers)");
        using var scratch = new ScratchDirectory();
        using var perInsertDb = StoreIntakeBenchmark.RawDatabase(scratch.Sub("per-insert"));
        using var schemaPeer = new SchemaPeer(scratch.Sub("schema"));
        await using var server = await BenchServer.StartAsync();
        using var channel = server.NewChannel();
        var intake = new IntakeService.IntakeServiceClient(channel);
        var operators = new OperatorService.OperatorServiceClient(channel);
        var requests = new RequestService.RequestServiceClient(channel);
        var scenarios = new Dictionary<string, List<Outcome>>(StringComparer.Ordinal);
        var perInsert = new List<double>();
        var schemaOne = new List<double>();
        var schemaGrouped = new List<double>();
        var fsyncP50 = new List<double>();
        long nextNumber = 1;
        var names = new List<string>();
        for (var rep = -1; rep < size.Repetitions; rep++)
        {
            var scale = rep < 0 ? 5 : 1;
            var prefix = Synthetic.NewKeyPrefix();
            var perInsertRate = StoreIntakeBenchmark.InsertOneByOne(perInsertDb, ref nextNumber, size.SingleSubmits / scale);
            var fsync = WriteAndFlush(scratch.Sub("fsync.bin"), size.SingleSubmits / scale);
            var schemaOneRate = schemaPeer.Write(size.SingleSubmits / scale, 1);
            var schemaGroupedRate = schemaPeer.Write(size.ConcurrentCalls / scale, StoreIntakeBenchmark.SchemaGroup);
            var outcomes = new Dictionary<string, Outcome>(StringComparer.Ordinal)
            {
                ["submit1"] = await RunAsync(1, size.SequentialCalls / scale, async i =>
                    names.Add((await intake.SubmitRequestAsync(Synthetic.SubmitRequest(prefix + "s" + i), BenchServer.As(Synthetic.IntakeCaller))).Name)),
                ["submit64"] = await RunAsync(ManyCallers, size.ConcurrentCalls / scale, i =>
                    intake.SubmitRequestAsync(Synthetic.SubmitRequest(prefix + "c" + i), BenchServer.As(Synthetic.IntakeCaller)).ResponseAsync),
                ["who1"] = await RunAsync(1, size.SequentialCalls / scale, _ =>
                    operators.WhoAmIAsync(new WhoAmIRequest(), BenchServer.As(Synthetic.OperatorCaller)).ResponseAsync),
                ["who64"] = await RunAsync(ManyCallers, size.ConcurrentCalls / scale, _ =>
                    operators.WhoAmIAsync(new WhoAmIRequest(), BenchServer.As(Synthetic.OperatorCaller)).ResponseAsync),
                ["get1"] = await RunAsync(1, size.SequentialCalls / scale, i =>
                    requests.GetRequestAsync(new GetRequestRequest { Name = names[i % names.Count] }, BenchServer.As(Synthetic.OperatorCaller)).ResponseAsync),
                ["get64"] = await RunAsync(ManyCallers, size.ConcurrentCalls / scale, i =>
                    requests.GetRequestAsync(new GetRequestRequest { Name = names[i % names.Count] }, BenchServer.As(Synthetic.OperatorCaller)).ResponseAsync),
            };
            if (rep < 0)
            {
                continue;
            }
            perInsert.Add(perInsertRate);
            schemaOne.Add(schemaOneRate);
            schemaGrouped.Add(schemaGroupedRate);
            fsyncP50.Add(fsync);
            foreach (var (name, outcome) in outcomes)
            {
                (scenarios.TryGetValue(name, out var list) ? list : scenarios[name] = []).Add(outcome);
            }
        }
        // The peer is bound by the disk's flush latency, the store's intake mostly by CPU: on a shared
        // disk the peer (and so every ratio to it) swings with the neighbours' I/O; this says how busy it was.
        Report.Row("4 KiB write + flush to disk, p50 (disk context)", Report.Ms(Repeated.Median(fsyncP50)) + " ms");
        Report.Columns("calls/s   p50 / p99", "ratio (calls/s)       CPU per call");
        Report.Row("raw LiteDB, transaction + checkpoint per insert", Report.Rate(Repeated.Median(perInsert)), "1.00x");
        Row("SubmitRequest, 1 caller", scenarios["submit1"], perInsert, "vs per-insert");
        Row(Report.Invariant($"SubmitRequest, {ManyCallers} callers"), scenarios["submit64"], perInsert, "vs per-insert");
        Report.Row("raw LiteDB, a submit's documents, 1 per tx", Report.Rate(Repeated.Median(schemaOne)),
            Report.Ratio(Repeated.MedianRatio(schemaOne, perInsert)) + " vs per-insert");
        Report.Row(Report.Invariant($"raw LiteDB, a submit's documents, {StoreIntakeBenchmark.SchemaGroup} per tx"), Report.Rate(Repeated.Median(schemaGrouped)),
            Report.Ratio(Repeated.MedianRatio(schemaGrouped, perInsert)) + " vs per-insert");
        Row("SubmitRequest, 1 caller", scenarios["submit1"], schemaOne, "vs one per tx");
        Row(Report.Invariant($"SubmitRequest, {ManyCallers} callers"), scenarios["submit64"], schemaGrouped, Report.Invariant($"vs {StoreIntakeBenchmark.SchemaGroup} per tx"));
        Row("WhoAmI, 1 caller", scenarios["who1"], Rates(scenarios["who1"]), "");
        Row(Report.Invariant($"WhoAmI, {ManyCallers} callers"), scenarios["who64"], Rates(scenarios["who64"]), "");
        Row("GetRequest (audited), 1 caller", scenarios["get1"], Rates(scenarios["who1"]), "vs WhoAmI");
        Row(Report.Invariant($"GetRequest (audited), {ManyCallers} callers"), scenarios["get64"], Rates(scenarios["who64"]), "vs WhoAmI");
    }

    private static void Row(string label, List<Outcome> outcomes, List<double> peer, string peerName) =>
        Report.Row(label,
            Report.Rate(Repeated.Median(Rates(outcomes))) + "   " +
            Report.LatencyPair(Repeated.Median([.. outcomes.Select(o => o.P50)]), Repeated.Median([.. outcomes.Select(o => o.P99)])),
            (Report.Ratio(Repeated.MedianRatio(Rates(outcomes), peer)) + " " + peerName).PadRight(22) +
            Report.Ms(Repeated.Median([.. outcomes.Select(o => o.CpuMsPerCall)])) + " ms");

    /// <summary>The p50, in milliseconds, of overwriting one 4 KiB block of a file and flushing it to disk.</summary>
    private static double WriteAndFlush(string path, int count)
    {
        var block = new byte[4096];
        var latencies = new Latencies();
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            file.Position = 0;
            file.Write(block);
            file.Flush(flushToDisk: true);
            latencies.Record(started, Stopwatch.GetTimestamp());
        }
        return latencies.Percentile(50);
    }

    private static List<double> Rates(List<Outcome> outcomes) => [.. outcomes.Select(o => o.PerSecond)];

    /// <summary>
    /// <paramref name="count"/> calls from <paramref name="callers"/> concurrent callers, each waiting
    /// for its answer before the next call; a single caller makes its calls in index order.
    /// </summary>
    private static async Task<Outcome> RunAsync(int callers, int count, Func<int, Task> call)
    {
        var next = -1;
        var parts = Enumerable.Range(0, callers).Select(_ => new Latencies()).ToArray();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(parts.Select(latencies => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var callStarted = Stopwatch.GetTimestamp();
                await call(i);
                latencies.Record(callStarted, Stopwatch.GetTimestamp());
            }
        })));
        var perSecond = Repeated.PerSecond(count, started);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var merged = Latencies.Merge(parts);
        return new Outcome(perSecond, merged.Percentile(50), merged.Percentile(99), cpu.TotalMilliseconds / count);
    }

    private sealed record Outcome(double PerSecond, double P50, double P99, double CpuMsPerCall);
}
