using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.V1;

namespace Hotline.Benchmarks;

/// <summary>
/// WatchRequests streams over real HTTP/2 while intake runs: how many changes per second reach
/// 1, 10 and 100 watchers (ten watchers per connection, as a room of consoles behind one proxy
/// would be), and how long after its submitter hears "OK" a watcher sees a new request. Peers:
/// the intake rate of the same phase (a watcher keeping up receives every change as fast as
/// intake makes them), and the submit's own latency.
/// </summary>
internal static class LiveFeedBenchmark
{
    private const int WatchersPerConnection = 10;
    private const int Submitters = 16;
    private const double PacedPerSecond = 200;

    private static readonly int[] WatcherCounts = [1, 10, 100];

    public static async Task RunAsync(RunSize size)
    {
        Report.Section("4. Live feed: WatchRequests fan-out over gRPC while intake runs, fresh server per row",
            "peers: the intake rate of the same phase (1.00x = every watcher keeps up); the submit's own latency (send -> OK)");
        var results = new List<FanOutResult>();
        foreach (var watchers in WatcherCounts)
        {
            results.Add(await MeasureAsync(watchers, size));
        }
        Report.Columns("deliveries/s", "per watcher vs intake    vs 1 watcher   intake submits/s");
        foreach (var r in results)
        {
            Report.Row(Report.Invariant($"{r.Watchers} watcher{(r.Watchers == 1 ? "" : "s")}, {Submitters} submitters flat out"),
                Report.Rate(r.DeliveriesPerSecond),
                Report.Ratio(r.KeepUp).PadRight(25) + Report.Ratio(r.DeliveriesPerSecond / results[0].DeliveriesPerSecond).PadRight(15) +
                Report.Rate(r.IntakePerSecond));
        }
        Report.Columns("p50 / p99", "ratio to send -> OK (p50, p99)");
        foreach (var r in results)
        {
            Report.Row(Report.Invariant($"{r.Watchers} watcher(s), 200 submits/s: send -> OK"), Report.LatencyPair(r.SendToAck.Percentile(50), r.SendToAck.Percentile(99)), "1.00x  1.00x");
            Report.Row("  send -> change seen by a watcher", Report.LatencyPair(r.SendToSeen.Percentile(50), r.SendToSeen.Percentile(99)),
                Report.Ratio(r.SendToSeen.Percentile(50) / r.SendToAck.Percentile(50)) + "  " +
                Report.Ratio(r.SendToSeen.Percentile(99) / r.SendToAck.Percentile(99)));
            Report.Row("  OK -> change seen (negative: seen first)", Report.LatencyPair(r.AckToSeen.Percentile(50), r.AckToSeen.Percentile(99)));
        }
        Report.Columns("working set", "vs no watchers     managed heap after full GC");
        foreach (var r in results)
        {
            Report.Row(Report.Invariant($"process with {r.Watchers} watcher(s), after intake"), Report.Megabytes(r.WorkingSet),
                Report.Ratio(r.WorkingSet / (double)r.IdleWorkingSet).PadRight(19) + Report.Megabytes(r.ManagedHeap));
        }
        Report.Note("working set is of this one process: server and benchmark clients together; no-watchers figure taken after server start");
        var cut = results.Sum(r => r.CutOff);
        if (cut > 0)
        {
            Report.Note(Report.Invariant($"{cut} watcher stream(s) ended early (cut off as too slow or failed)"));
        }
    }

    private static async Task<FanOutResult> MeasureAsync(int watcherCount, RunSize size)
    {
        await using var server = await BenchServer.StartAsync();
        using var intakeChannel = server.NewChannel();
        var intake = new IntakeService.IntakeServiceClient(intakeChannel);
        await intake.SubmitRequestAsync(Synthetic.SubmitRequest(Synthetic.NewKeyPrefix()), BenchServer.As(Synthetic.IntakeCaller));
        var idleWorkingSet = WorkingSet();

        var channels = Enumerable.Range(0, (watcherCount + WatchersPerConnection - 1) / WatchersPerConnection)
            .Select(_ => server.NewChannel()).ToArray();
        using var stop = new CancellationTokenSource();
        var watchers = Enumerable.Range(0, watcherCount)
            .Select(i => new Watcher(new RequestService.RequestServiceClient(channels[i / WatchersPerConnection])))
            .ToArray();
        var running = watchers.Select(w => w.RunAsync(stop.Token)).ToArray();
        try
        {
            await Task.WhenAll(watchers.Select(w => w.SnapshotReceived)).WaitAsync(TimeSpan.FromSeconds(60));

            var expected = 0;
            var paced = await PacedIntakeAsync(intake, size.PacedSubmits);
            expected += size.PacedSubmits;
            await WaitForDeliveryAsync(watchers, expected);
            var (sendToAck, sendToSeen, ackToSeen) = Latency(paced, watchers);
            // From here on watchers only count, so the working set below is not inflated by the benchmark's own bookkeeping.
            foreach (var watcher in watchers)
            {
                watcher.StopNoting();
            }

            var deliveryRates = new List<double>();
            var keepUp = new List<double>();
            var intakeRates = new List<double>();
            for (var rep = -1; rep < size.Repetitions; rep++)
            {
                var count = rep < 0 ? size.FanOutSubmits / 5 : size.FanOutSubmits;
                var started = Stopwatch.GetTimestamp();
                var intakeRate = await FlatOutIntakeAsync(intake, count);
                expected += count;
                await WaitForDeliveryAsync(watchers, expected);
                var lastSeen = watchers.Max(w => w.LastSeen);
                var perWatcher = count / Stopwatch.GetElapsedTime(started, lastSeen).TotalSeconds;
                if (rep < 0)
                {
                    continue;
                }
                deliveryRates.Add(perWatcher * watcherCount);
                keepUp.Add(perWatcher / intakeRate);
                intakeRates.Add(intakeRate);
            }
            var workingSet = WorkingSet();
            return new FanOutResult(watcherCount, Repeated.Median(deliveryRates), Repeated.Median(keepUp), Repeated.Median(intakeRates),
                sendToAck, sendToSeen, ackToSeen, idleWorkingSet, workingSet, GC.GetTotalMemory(forceFullCollection: true),
                watchers.Count(w => w.Ended));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    /// <summary>Submits at a steady rate, each call started on schedule whether or not the last has returned.</summary>
    private static async Task<ConcurrentDictionary<string, (long Sent, long Acked)>> PacedIntakeAsync(IntakeService.IntakeServiceClient intake, int count)
    {
        var prefix = Synthetic.NewKeyPrefix();
        var times = new ConcurrentDictionary<string, (long, long)>();
        var calls = new List<Task>(count);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / PacedPerSecond) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
            var key = prefix + i;
            calls.Add(Task.Run(async () =>
            {
                var sent = Stopwatch.GetTimestamp();
                var receipt = await intake.SubmitRequestAsync(Synthetic.SubmitRequest(key), BenchServer.As(Synthetic.IntakeCaller));
                times[receipt.Name] = (sent, Stopwatch.GetTimestamp());
            }));
        }
        await Task.WhenAll(calls);
        return times;
    }

    /// <summary>Returns submits acknowledged per second.</summary>
    private static async Task<double> FlatOutIntakeAsync(IntakeService.IntakeServiceClient intake, int count)
    {
        var prefix = Synthetic.NewKeyPrefix();
        var started = Stopwatch.GetTimestamp();
        await Concurrently.ForEachAsync(count, Submitters, async i =>
            await intake.SubmitRequestAsync(Synthetic.SubmitRequest(prefix + i), BenchServer.As(Synthetic.IntakeCaller)));
        return Repeated.PerSecond(count, started);
    }

    private static async Task WaitForDeliveryAsync(Watcher[] watchers, int expected)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
        while (watchers.Any(w => w.Created < expected && !w.Ended))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("Watchers did not receive every change within 60 s.");
            }
            await Task.Delay(5);
        }
    }

    private static (Latencies SendToAck, Latencies SendToSeen, Latencies AckToSeen) Latency(
        ConcurrentDictionary<string, (long Sent, long Acked)> submitted, Watcher[] watchers)
    {
        var sendToAck = new Latencies();
        foreach (var (sent, acked) in submitted.Values)
        {
            sendToAck.Record(sent, acked);
        }
        var sendToSeen = new Latencies();
        var ackToSeen = new Latencies();
        foreach (var watcher in watchers)
        {
            foreach (var (name, seen) in watcher.Seen())
            {
                if (submitted.TryGetValue(name, out var times))
                {
                    sendToSeen.Record(times.Sent, seen);
                    ackToSeen.Record((seen - times.Acked) * 1000.0 / Stopwatch.Frequency);
                }
            }
        }
        return (sendToAck, sendToSeen, ackToSeen);
    }

    private static long WorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private sealed record FanOutResult(int Watchers, double DeliveriesPerSecond, double KeepUp, double IntakePerSecond,
        Latencies SendToAck, Latencies SendToSeen, Latencies AckToSeen, long IdleWorkingSet, long WorkingSet, long ManagedHeap, int CutOff);

    /// <summary>One watch stream, read by one loop, noting when each new request was first seen.</summary>
    private sealed class Watcher(RequestService.RequestServiceClient client)
    {
        private readonly TaskCompletionSource _snapshot = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<(string Name, long Seen)> _seen = [];
        private int _created;
        private long _lastSeen;
        private volatile bool _ended;
        private volatile bool _noting = true;

        public Task SnapshotReceived => _snapshot.Task;

        public int Created => Volatile.Read(ref _created);

        public long LastSeen => Interlocked.Read(ref _lastSeen);

        /// <summary>True when the stream ended before the benchmark stopped it.</summary>
        public bool Ended => _ended;

        public void StopNoting() => _noting = false;

        public List<(string Name, long Seen)> Seen()
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                using var call = client.WatchRequests(new WatchRequestsRequest(), BenchServer.Streaming(Synthetic.OperatorCaller, cancellationToken));
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                    var now = Stopwatch.GetTimestamp();
                    var message = call.ResponseStream.Current;
                    if (message.EventCase == WatchRequestsResponse.EventOneofCase.SnapshotEnd)
                    {
                        _snapshot.TrySetResult();
                    }
                    else if (message.Change is { Kind: ChangeKind.Created } change)
                    {
                        if (_noting)
                        {
                            lock (_seen)
                            {
                                _seen.Add((change.Name, now));
                            }
                        }
                        Interlocked.Exchange(ref _lastSeen, now);
                        Interlocked.Increment(ref _created);
                    }
                }
                _ended = true;
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is RpcException or OperationCanceledException)
            {
            }
            catch (RpcException)
            {
                _ended = true;
            }
            finally
            {
                _snapshot.TrySetResult();
            }
        }
    }
}
