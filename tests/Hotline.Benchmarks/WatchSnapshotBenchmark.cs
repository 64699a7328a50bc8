using System.Diagnostics;
using Google.Protobuf;
using Hotline.Domain;
using Hotline.Server.Mapping;
using Hotline.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using V1 = Hotline.Contract.V1;

namespace Hotline.Benchmarks;

/// <summary>
/// What one watch snapshot costs the server as the closed history grows and the open queue does
/// not: stores holding 1,000 and 10,000 requests (100,000 with --long-history), the same number
/// of them open, everything else closed days ago. A snapshot here is the server's whole share of
/// it but the network write: find the working set, then per page open the requests, map them to
/// the contract and serialise the message. Peer: the same snapshot on the smallest store, measured
/// back to back. A walk over the closed history (counting it) shows what growing with it looks like.
/// </summary>
internal static class WatchSnapshotBenchmark
{
    private const int Open = 200;
    private const int Submitters = 64;
    private const int SnapshotsPerTurn = 7;

    private static readonly TimeSpan Window = new Server.Live.WatchOptions().ClosedWindow;
    private static readonly OperatorAccount Closer = new("bench-closer", "Closer", Role.Supervisor);
    private static readonly OperatorAccount Viewer = new(Synthetic.OperatorCaller, "Viewer", Role.Operator);

    public static async Task RunAsync(RunSize size, bool longHistory)
    {
        int[] stored = longHistory ? [1_000, 10_000, 100_000] : size == RunSize.Smoke ? [Open + 100, Open + 1_000] : [1_000, 10_000];
        Report.Section(Report.Invariant($"5. Watch snapshot: {Open} open requests, the rest closed days ago; store read, contract mapping and serialisation, data on disk"),
            Report.Invariant($"peer: the same snapshot on the {stored[0]:N0}-request store, measured back to back (1.00x = cost independent of history)"));
        using var scratch = new ScratchDirectory();
        var clock = new SettableClock(DateTimeOffset.UtcNow);
        var stores = new List<LiteDbRequestStore>();
        try
        {
            var filling = Stopwatch.StartNew();
            foreach (var count in stored)
            {
                var store = LiteDbRequestStore.Open(scratch.Sub(Report.Invariant($"history-{count}")), new RequestStoreOptions(), clock,
                    NoChangeListener.Instance, NullLogger.Instance, BenchKeys.MasterKey);
                stores.Add(store);
                await FillAsync(store, count);
            }
            clock.Advance(TimeSpan.FromDays(3));
            var fillTime = filling.Elapsed;

            var times = stored.Select(_ => new List<double>()).ToArray();
            var allocations = stored.Select(_ => new List<double>()).ToArray();
            var walks = stored.Select(_ => new List<double>()).ToArray();
            var sent = new int[stored.Length];
            for (var rep = -1; rep < size.Repetitions; rep++)
            {
                for (var s = 0; s < stores.Count; s++)
                {
                    // Several snapshots per turn, their median: one snapshot is short enough for a busy neighbour to double it.
                    var turn = new List<(double Milliseconds, double Bytes, int Requests)>();
                    for (var i = 0; i < SnapshotsPerTurn; i++)
                    {
                        turn.Add(await MeasureSnapshotAsync(stores[s]));
                    }
                    if (rep < 0)
                    {
                        continue;
                    }
                    times[s].Add(Repeated.Median([.. turn.Select(t => t.Milliseconds)]));
                    allocations[s].Add(Repeated.Median([.. turn.Select(t => t.Bytes)]));
                    sent[s] = turn[^1].Requests;
                }
            }
            // After the snapshots: a walk over the history fills LiteDB's cache with pages no snapshot needs.
            for (var rep = -1; rep < size.Repetitions; rep++)
            {
                for (var s = 0; s < stores.Count; s++)
                {
                    var walk = await MeasureHistoryWalkAsync(stores[s], clock.GetUtcNow());
                    if (rep >= 0)
                    {
                        walks[s].Add(walk);
                    }
                }
            }

            Report.Columns("snapshot time", Report.Invariant($"vs {stored[0]:N0} stored   allocated per snapshot   vs {stored[0]:N0}   requests sent"));
            for (var s = 0; s < stores.Count; s++)
            {
                Report.Row(Report.Invariant($"{stored[s]:N0} stored, {Open} open"), Report.Ms(Repeated.Median(times[s])) + " ms",
                    Report.Ratio(Repeated.MedianRatio(times[s], times[0])).PadRight(17) +
                    Report.Megabytes(Repeated.Median(allocations[s])).PadRight(25) +
                    Report.Ratio(Repeated.MedianRatio(allocations[s], allocations[0])).PadRight(13) +
                    Report.Invariant($"{sent[s]:N0}"));
            }
            Report.Columns("walk time", Report.Invariant($"vs {stored[0]:N0} stored"));
            for (var s = 0; s < stores.Count; s++)
            {
                Report.Row(Report.Invariant($"  contrast: walk the closed history of {stored[s]:N0}"), Report.Ms(Repeated.Median(walks[s])) + " ms",
                    Report.Ratio(Repeated.MedianRatio(walks[s], walks[0])));
            }
            Report.Note(Report.Invariant($"allocation is the whole process's during the snapshot, with nothing else running; the stores took {fillTime.TotalSeconds:0} s to fill"));
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    /// <summary>
    /// Stores <paramref name="count"/> requests, all but <see cref="Open"/> of them closed; run before
    /// the clock moves on, so the closed ones are older than the window when measured.
    /// </summary>
    private static async Task FillAsync(LiteDbRequestStore store, int count)
    {
        var prefix = Synthetic.NewKeyPrefix();
        await Concurrently.ForEachAsync(count - Open, Submitters, async i =>
        {
            var receipt = await store.SubmitAsync(Synthetic.Submission(prefix + i), CancellationToken.None);
            await store.ExecuteAsync(receipt.RequestId, new CloseCommand(Closer, Resolution.InformationGiven), CancellationToken.None);
        });
        // The open ones last, so they are not the oldest ids: nothing about their place in the file favours them.
        await Task.WhenAll(Enumerable.Range(0, Open).Select(i => store.SubmitAsync(Synthetic.Submission(prefix + "open-" + i), CancellationToken.None)));
    }

    private static async Task<(double Milliseconds, double Bytes, int Requests)> MeasureSnapshotAsync(LiteDbRequestStore store)
    {
        Settle();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var snapshot = await store.ReadWorkingSetAsync(Window, CancellationToken.None);
        var requests = 0;
        await foreach (var page in snapshot.ReadPagesAsync(Server.Live.WatchSession.SnapshotPageSize, CancellationToken.None))
        {
            var message = new V1.WatchSnapshot();
            message.Requests.AddRange(page.Select(r => ContractMapping.ToContract(r, Viewer)));
            var response = new V1.WatchRequestsResponse { Snapshot = message };
            GC.KeepAlive(response.ToByteArray());
            requests += page.Count;
        }
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, requests);
    }

    private static async Task<double> MeasureHistoryWalkAsync(LiteDbRequestStore store, DateTimeOffset now)
    {
        Settle();
        var started = Stopwatch.GetTimestamp();
        GC.KeepAlive(await store.CountClosedBeforeAsync(now, CancellationToken.None));
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
    }

    /// <summary>A clock the benchmark moves by hand, so a history can be made "days old" without waiting days.</summary>
    private sealed class SettableClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
