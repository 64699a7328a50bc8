using System.Diagnostics;
using System.Globalization;
using Hotline.Domain;

namespace Hotline.Benchmarks;

/// <summary>
/// Sixteen operators working the queue at once, each reading a request (GetAsync) and then claiming
/// it (an AssignCommand to themselves, through the single writer, durable before OK). The read is
/// the peer: same store, same moment, same operators, no writer and no checkpoint.
/// </summary>
internal static class ClaimLatencyBenchmark
{
    private const int Operators = 16;

    public static async Task RunAsync(RunSize size)
    {
        Report.Section(Report.Invariant($"2. Claim latency: {Operators} concurrent operators, each GetAsync then AssignCommand on its own requests"),
            "peer: GetAsync (a read) by the same operators in the same run");
        using var scratch = new ScratchDirectory();
        var opened = StoreIntakeBenchmark.OpenStore(scratch.Sub("store"));
        using var store = opened.Store;
        var rounds = size.Repetitions + 1;
        var queue = await FillQueueAsync(opened, Operators * size.ClaimsPerOperator * rounds);
        var accounts = Enumerable.Range(1, Operators)
            .Select(i => new OperatorAccount("op" + i.ToString("00", CultureInfo.InvariantCulture), "Operator", Role.Operator))
            .ToArray();
        var claimP50 = new List<double>();
        var claimP99 = new List<double>();
        var readP50 = new List<double>();
        var readP99 = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var results = await Task.WhenAll(accounts.Select((account, i) => Task.Run(() =>
                WorkAsync(store, account, queue.Slice((round * Operators + i) * size.ClaimsPerOperator, size.ClaimsPerOperator)))));
            if (round == 0)
            {
                continue;
            }
            var claims = Latencies.Merge(results.Select(r => r.Claims));
            var reads = Latencies.Merge(results.Select(r => r.Reads));
            claimP50.Add(claims.Percentile(50));
            claimP99.Add(claims.Percentile(99));
            readP50.Add(reads.Percentile(50));
            readP99.Add(reads.Percentile(99));
        }
        Report.Columns("p50 / p99", "ratio p50      ratio p99");
        Report.Row("GetAsync (read)", Report.LatencyPair(Repeated.Median(readP50), Repeated.Median(readP99)), "1.00x          1.00x");
        Report.Row("AssignCommand (claim, durable)", Report.LatencyPair(Repeated.Median(claimP50), Repeated.Median(claimP99)),
            Report.Ratio(Repeated.MedianRatio(claimP50, readP50)).PadRight(15) + Report.Ratio(Repeated.MedianRatio(claimP99, readP99)));
        Report.Note(Report.Invariant($"{Operators * size.ClaimsPerOperator:N0} claims and reads per repetition"));
    }

    private static async Task<ReadOnlyMemory<string>> FillQueueAsync(OpenedStore opened, int count) =>
        await StoreFill.SubmitAsync(opened.Store, count, submitters: 64);

    private static async Task<(Latencies Claims, Latencies Reads)> WorkAsync(IRequestStore store, OperatorAccount account,
        ReadOnlyMemory<string> requestIds)
    {
        var claims = new Latencies();
        var reads = new Latencies();
        for (var i = 0; i < requestIds.Length; i++)
        {
            var id = requestIds.Span[i];
            var started = Stopwatch.GetTimestamp();
            var current = await store.GetAsync(id, account.Id, CancellationToken.None)
                ?? throw new InvalidOperationException("A request stored for the benchmark is missing.");
            var read = Stopwatch.GetTimestamp();
            await store.ExecuteAsync(id, new AssignCommand(account, account, current.Etag), CancellationToken.None);
            reads.Record(started, read);
            claims.Record(read, Stopwatch.GetTimestamp());
        }
        return (claims, reads);
    }
}
