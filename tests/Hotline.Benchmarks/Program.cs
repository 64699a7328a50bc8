using System.Diagnostics;
using Hotline.Benchmarks;

// Every figure is printed next to a peer measured in the same run, because the machines are
// shared and noisy: a ratio survives a busy neighbour far better than an absolute number.
var smoke = args.Contains("--smoke");
var size = smoke ? RunSize.Smoke : args.Contains("--quick") ? RunSize.Quick : RunSize.Full;
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
if (only.Contains("scale"))
{
    // Not in the default set: filling 100,000 requests takes minutes. --million adds 1,000,000 (about an hour);
    // --smoke runs every path at toy sizes, for CI, where only a broken benchmark may fail.
    // --keep-stores DIR keeps the filled stores in DIR and measures them again on the next run.
    var keep = args.SkipWhile(a => a != "--keep-stores").Skip(1).FirstOrDefault();
    await ScaleBenchmark.RunAsync(smoke ? ScaleSize.Smoke : args.Contains("--million") ? ScaleSize.Million : ScaleSize.Full, keep);
}
if (only.Contains("fanout"))
{
    // Not in the default set either: 1,000 watchers take the whole machine for about a minute.
    await FanOutBenchmark.RunAsync(smoke ? FanOutSize.Smoke : FanOutSize.Full);
}
if (only.Contains("snapshot"))
{
    // --long-history adds a 100,000-request store: about four more minutes of filling on two cores.
    await WatchSnapshotBenchmark.RunAsync(size, longHistory: args.Contains("--long-history"));
}
if (only.Contains("copy"))
{
    await StoreCopyBenchmark.RunAsync(size);
}
if (only.Contains("list"))
{
    await StoreListBenchmark.RunAsync(size);
}
if (only.Contains("backup"))
{
    await BackupBenchmark.RunAsync(size);
}
if (only.Contains("parts"))
{
    // Not in the default set: a diagnosis of what intake is bound by, not a path of the product.
    SubmitPartsBenchmark.Run(size);
}
if (only.Contains("limits"))
{
    // Not in the default set: it starts a throwaway PostgreSQL cluster.
    await SharedLimitBenchmark.RunAsync(size);
}
if (only.Contains("postgres"))
{
    // Not in the default set: it starts a throwaway PostgreSQL cluster (initdb + pg_ctl), skipped with the reason when there is none.
    await PostgresBenchmark.RunAsync(size);
}
Report.Footer(Stopwatch.GetElapsedTime(started));
