using System.Diagnostics;
using Hotline.Benchmarks;

// Every figure is printed next to a peer measured in the same run, because the machines are
// shared and noisy: a ratio survives a busy neighbour far better than an absolute number.
var size = args.Contains("--quick") ? RunSize.Quick : RunSize.Full;
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',') ?? ["store", "claim", "grpc", "live", "snapshot"];
var started = Stopwatch.GetTimestamp();
Report.Header(size);
if (only.Contains("store"))
{
    await StoreIntakeBenchmark.RunAsync(size);
}
if (only.Contains("claim"))
{
    await ClaimLatencyBenchmark.RunAsync(size);
}
if (only.Contains("grpc"))
{
    await GrpcSubmitBenchmark.RunAsync(size);
}
if (only.Contains("live"))
{
    await LiveFeedBenchmark.RunAsync(size);
}
if (only.Contains("snapshot"))
{
    // --long-history adds a 100,000-request store: about four more minutes of filling on two cores.
    await WatchSnapshotBenchmark.RunAsync(size, longHistory: args.Contains("--long-history"));
}
Report.Footer(Stopwatch.GetElapsedTime(started));
