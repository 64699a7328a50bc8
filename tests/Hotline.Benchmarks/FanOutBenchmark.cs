using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.V1;

namespace Hotline.Benchmarks;

/// <summary>
/// A large room: many consoles follow the live feed of the real server process while intake
/// arrives at a steady rate, as on a busy night. Measures, at every watcher, how long after its
/// submitter heard "OK" a new request arrives; then drops every watcher and reconnects them all at
/// once (what a server restart or a network blip does to a room) while intake goes on, and compares
/// intake's latency during that storm with its latency in the quiet phase before it.
/// </summary>
internal static class FanOutBenchmark
{
    /// <summary>Streams per connection: under Kestrel's default limit of 100 concurrent streams per HTTP/2 connection.</summary>
    private const int StreamsPerConnection = 50;

    public static async Task RunAsync(FanOutSize size)
    {
        Report.Section(Report.Invariant($"7. Fan-out: {size.Watchers:N0} watchers on the server process, intake at {size.PerSecond}/s for {size.Seconds} s, then all reconnect at once"),
            "peers: the submit's own latency (send -> OK) in the same phase; intake latency before the reconnect storm");
        using var scratch = new ScratchDirectory();
        var data = await ScaleData.FillAsync(scratch.Sub("fan-out"), stored: size.Open, open: size.Open);
        await using var server = await ServerChild.StartAsync(data.Directory, data.KeyFile,
            "--Hotline:Watch:MaxStreamsPerCaller", Report.Invariant($"{size.Watchers * 2}"),
            "--Hotline:Watch:MaxStreams", Report.Invariant($"{size.Watchers * 2}"));
        var channels = Enumerable.Range(0, (size.Watchers + StreamsPerConnection - 1) / StreamsPerConnection).Select(_ => server.NewChannel()).ToList();
        using var intakeChannel = server.NewChannel();
        var intake = new IntakeService.IntakeServiceClient(intakeChannel);
        var watchers = Enumerable.Range(0, size.Watchers).Select(i => new Watcher(channels[i / StreamsPerConnection])).ToList();
        try
        {
            var rssBefore = server.RssBytes;
            var connecting = Stopwatch.GetTimestamp();
            watchers.ForEach(w => w.Start(startRevision: 0));
            await Task.WhenAll(watchers.Select(w => w.Live)).WaitAsync(TimeSpan.FromMinutes(5));
            var connected = Stopwatch.GetElapsedTime(connecting).TotalMilliseconds;
            var rssWatching = server.RssBytes;

            var acks = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            var quiet = await PacedIntakeAsync(intake, size, acks, during: null);
            await Task.Delay(2_000);
            var perWatcher = watchers.Select(w => w.LatenciesFor(acks)).ToList();
            var all = Latencies.Merge(perWatcher);
            var worstP99 = perWatcher.Max(l => l.Percentile(99));
            var missing = perWatcher.Sum(l => acks.Count - l.Count);

            // The storm: every watcher drops and comes back at once, resuming from the last revision it
            // saw as a console does, while intake carries on at the same rate.
            var reconnectTimes = new Latencies();
            var storm = await PacedIntakeAsync(intake, size, new ConcurrentDictionary<string, long>(StringComparer.Ordinal), during: async () =>
            {
                await Task.WhenAll(watchers.Select(w => w.StopAsync()));
                var started = Stopwatch.GetTimestamp();
                watchers.ForEach(w => w.Start(w.LastRevision + 1));
                await Task.WhenAll(watchers.Select(w => w.Resumed)).WaitAsync(TimeSpan.FromMinutes(5));
                reconnectTimes.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            });

            Report.Columns("p50 / p99", "vs the submit's own p50 / p99");
            Report.Row(Report.Invariant($"submit (send -> OK), quiet"), Report.LatencyPair(quiet.Percentile(50), quiet.Percentile(99)));
            Report.Row(Report.Invariant($"OK -> received, all {all.Count:N0} deliveries"), Report.LatencyPair(all.Percentile(50), all.Percentile(99)),
                Report.Ratio(all.Percentile(50) / quiet.Percentile(50)) + " / " + Report.Ratio(all.Percentile(99) / quiet.Percentile(99)));
            Report.Row("OK -> received, p99 of the slowest watcher", Report.Ms(worstP99) + " ms");
            Report.Row(Report.Invariant($"submit during the reconnect of {size.Watchers:N0}"), Report.LatencyPair(storm.Percentile(50), storm.Percentile(99)),
                Report.Ratio(storm.Percentile(50) / quiet.Percentile(50)) + " / " + Report.Ratio(storm.Percentile(99) / quiet.Percentile(99)) + " of quiet");
            Report.Note(Report.Invariant($"all {size.Watchers:N0} live after {connected:0} ms at first, all resumed after {reconnectTimes.Percentile(50):0} ms in the storm; deliveries missing: {missing}; streams failed: {watchers.Count(w => w.Failure is not null)}"));
            Report.Note(Report.Invariant($"server RSS {rssBefore / (1024 * 1024):0} MB before the watchers, {rssWatching / (1024 * 1024):0} MB with them; {StreamsPerConnection} streams per connection"));
        }
        finally
        {
            await Task.WhenAll(watchers.Select(w => w.StopAsync()));
            channels.ForEach(c => c.Dispose());
        }
    }

    /// <summary>
    /// Submits at <see cref="FanOutSize.PerSecond"/> for <see cref="FanOutSize.Seconds"/>, each on its
    /// own schedule (a late submit does not delay the next), recording when each was acknowledged.
    /// </summary>
    private static async Task<Latencies> PacedIntakeAsync(IntakeService.IntakeServiceClient intake, FanOutSize size,
        ConcurrentDictionary<string, long> acks, Func<Task>? during)
    {
        var total = size.PerSecond * size.Seconds;
        var prefix = Synthetic.NewKeyPrefix();
        var started = Stopwatch.GetTimestamp();
        var side = during is null ? Task.CompletedTask : Task.Run(during);
        var calls = new List<Task<double>>(total);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / size.PerSecond) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
            var key = prefix + i;
            calls.Add(Task.Run(async () =>
            {
                var sent = Stopwatch.GetTimestamp();
                var reply = await intake.SubmitRequestAsync(Synthetic.SubmitRequest(key), ScaleCallers.As(ScaleCallers.Intake));
                var ok = Stopwatch.GetTimestamp();
                acks[reply.Name] = ok;
                return Stopwatch.GetElapsedTime(sent, ok).TotalMilliseconds;
            }));
        }
        var latencies = new Latencies();
        foreach (var ms in await Task.WhenAll(calls))
        {
            latencies.Record(ms);
        }
        await side;
        return latencies;
    }

    /// <summary>One console's watch stream, recording when each new request arrived.</summary>
    private sealed class Watcher(GrpcChannel channel)
    {
        private readonly ConcurrentQueue<(string Name, long At)> _created = new();
        private CancellationTokenSource? _stop;
        private Task _running = Task.CompletedTask;
        private TaskCompletionSource _live = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Live => _live.Task;

        /// <summary>Completes at the first message of a resumed stream (a change or progress), the sign it is following again.</summary>
        public Task Resumed => _resumed.Task;

        public long LastRevision { get; private set; }

        /// <summary>How the stream failed, when it ended without being told to.</summary>
        public string? Failure { get; private set; }

        public void Start(long startRevision)
        {
            _stop = new CancellationTokenSource();
            _live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var stop = _stop.Token;
            _running = Task.Run(async () =>
            {
                try
                {
                    using var call = new RequestService.RequestServiceClient(channel).WatchRequests(
                        new WatchRequestsRequest { StartRevision = startRevision }, ScaleCallers.Streaming(ScaleCallers.Operator, stop));
                    while (await call.ResponseStream.MoveNext(stop))
                    {
                        var message = call.ResponseStream.Current;
                        switch (message.EventCase)
                        {
                            case WatchRequestsResponse.EventOneofCase.SnapshotEnd:
                                LastRevision = message.SnapshotEnd.Revision;
                                _live.TrySetResult();
                                break;
                            case WatchRequestsResponse.EventOneofCase.Change:
                                if (message.Change.Kind == ChangeKind.Created)
                                {
                                    _created.Enqueue((message.Change.Name, Stopwatch.GetTimestamp()));
                                }
                                LastRevision = message.Change.Revision;
                                _resumed.TrySetResult();
                                break;
                            case WatchRequestsResponse.EventOneofCase.Progress:
                                _resumed.TrySetResult();
                                break;
                        }
                    }
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    // Told to stop: however the transport reports the cancelled stream, it ended as asked.
                }
                catch (Exception e)
                {
                    // Shown as a missing delivery or a stream that never went live, and counted.
                    Failure = e.GetType().Name + (e is RpcException rpc ? " " + rpc.StatusCode : "");
                    _live.TrySetException(e);
                    _resumed.TrySetException(e);
                }
            }, CancellationToken.None);
        }

        public async Task StopAsync()
        {
            if (_stop is null)
            {
                return;
            }
            await _stop.CancelAsync();
            await _running;
            _stop.Dispose();
            _stop = null;
        }

        /// <summary>For each acknowledged request this watcher received: acknowledged -> received.</summary>
        public Latencies LatenciesFor(ConcurrentDictionary<string, long> acks)
        {
            var latencies = new Latencies();
            foreach (var (name, at) in _created)
            {
                if (acks.TryGetValue(name, out var ok))
                {
                    latencies.Record(ok, at);
                }
            }
            return latencies;
        }
    }
}

/// <summary>How big the fan-out run is.</summary>
internal sealed record FanOutSize
{
    public static readonly FanOutSize Full = new() { Watchers = 1_000, PerSecond = 50, Seconds = 20, Open = 1_000 };

    /// <summary>For CI: the same paths with a small room.</summary>
    public static readonly FanOutSize Smoke = new() { Watchers = 60, PerSecond = 20, Seconds = 2, Open = 50 };

    public required int Watchers { get; init; }
    public required int PerSecond { get; init; }
    public required int Seconds { get; init; }
    public required int Open { get; init; }
}
