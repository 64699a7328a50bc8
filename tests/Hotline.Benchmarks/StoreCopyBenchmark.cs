using System.Diagnostics;
using Hotline.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Benchmarks;

/// <summary>
/// The consistent online copy online backups are built on (LiteDbRequestStore.CopyDatabaseAsync):
/// a store of 10,000 requests (500 with --smoke) copied through its writer, how big the copy is,
/// how long the writer is held, and what opening the copy as a store and verifying its audit chain
/// (a restore's work) costs. Peer: a plain copy of the same file, measured right after. Only the
/// copy itself is measured; sealing the copy (what the backup command adds) is not built yet.
/// </summary>
internal static class StoreCopyBenchmark
{
    public static async Task RunAsync(RunSize size)
    {
        var count = size == RunSize.Smoke ? 500 : 10_000;
        Report.Section(Report.Invariant($"8. Store copy: {count:N0} requests, copied by the writer between batches, then opened and its audit chain verified"),
            "peer: File.Copy of the same checkpointed data file, right after (1.00x = the writer adds nothing to a plain copy)");
        using var scratch = new ScratchDirectory();
        var source = scratch.Sub("live");
        using var store = LiteDbRequestStore.Open(source, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance,
            NullLogger.Instance, BenchKeys.MasterKey);
        await StoreFill.SubmitAsync(store, count);

        var copies = new List<double>();
        var peers = new List<double>();
        var opens = new List<double>();
        long bytes = 0;
        for (var rep = 0; rep < size.Repetitions; rep++)
        {
            var target = scratch.Sub(Report.Invariant($"copy-{rep}"));
            Directory.CreateDirectory(target);
            var started = Stopwatch.GetTimestamp();
            await using (var file = new FileStream(Path.Combine(target, "hotline.db"), FileMode.CreateNew))
            {
                bytes = (await store.CopyDatabaseAsync(file, CancellationToken.None)).Bytes;
            }
            copies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

            started = Stopwatch.GetTimestamp();
            File.Copy(Path.Combine(source, "hotline.db"), Path.Combine(scratch.Path, Report.Invariant($"peer-{rep}.db")));
            peers.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

            started = Stopwatch.GetTimestamp();
            using (var restored = LiteDbRequestStore.Open(target, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance,
                NullLogger.Instance, BenchKeys.MasterKey))
            {
                var verification = await restored.VerifyAuditAsync(BenchKeys.MasterKey, CancellationToken.None);
                if (!verification.Intact)
                {
                    throw new InvalidOperationException("The copy's audit chain does not verify: " + verification.Detail);
                }
            }
            opens.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        Report.Row("copy size", Report.Megabytes(bytes));
        Report.Row("copy through the writer", Report.Ms(Repeated.Median([.. copies])) + " ms",
            Report.Ratio(Repeated.Median([.. copies.Zip(peers, (c, p) => c / p)])));
        Report.Row("plain file copy (peer)", Report.Ms(Repeated.Median([.. peers])) + " ms", Report.Ratio(1));
        Report.Row("open the copy and verify its chain", Report.Ms(Repeated.Median([.. opens])) + " ms");
    }
}
