using System.Diagnostics;
using Grpc.Core;
using Hotline.Contract.V1;

namespace Hotline.Benchmarks;

/// <summary>
/// How the cost of each path grows with what is stored: the real server process over data
/// directories of increasing size, each holding the same open queue and a longer closed history,
/// called over gRPC as an integrator and a console would. Every figure is printed against the
/// smallest store (1.00x = cost independent of history) and against a peer call in the same run.
/// </summary>
internal static class ScaleBenchmark
{
    private const int ListPage = 100;
    private const int Consoles = 10;
    private const int TitleWidth = 50;
    private const int CellWidth = 20;

    /// <param name="size">The stores to fill and the calls to make.</param>
    /// <param name="keepDirectory">
    /// Where to keep the filled stores between runs (<c>--keep-stores DIR</c>): a store filled by an
    /// earlier run is measured again instead of refilled, so the hour a million-request store takes
    /// to fill can be spent while the machine is busy and the measuring done when it is quiet.
    /// Null: fill into a scratch directory that is deleted afterwards.
    /// </param>
    public static async Task RunAsync(ScaleSize size, string? keepDirectory = null)
    {
        Report.Section(Report.Invariant($"6. Data scale: the server process over stores of {string.Join(", ", size.Stored.Select(n => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} requests, {size.Open:N0} open, the rest closed 3 days ago"),
            Report.Invariant($"peers: the {size.Stored[0]:N0}-request store (1.00x = independent of history); WhoAmI and GetRequest on the same server"));
        using var scratch = new ScratchDirectory();
        var results = new List<ScaleResult>();
        foreach (var stored in size.Stored)
        {
            var name = Report.Invariant($"store-{stored}");
            var data = keepDirectory is null
                ? await ScaleData.FillAsync(scratch.Sub(name), stored, Math.Min(size.Open, stored))
                : await ScaleData.FillOrReuseAsync(Path.Combine(keepDirectory, name), stored, Math.Min(size.Open, stored));
            results.Add(await MeasureAsync(data, size));
            Report.Note(Report.Invariant($"{stored:N0} stored: filled in {data.FillTime.TotalSeconds:0} s, {DirectoryBytes(data.Directory) / (1024.0 * 1024):0} MB on disk"));
        }
        var first = results[0];
        PrintHeader(results);
        Print("WhoAmI p50 (peer: no storage)", results, r => r.WhoAmI, first, peer: null, "ms");
        Print("GetRequest p50 (audited read)", results, r => r.Get, first, r => r.WhoAmI, "ms", "vs WhoAmI");
        Print(Report.Invariant($"ListRequests state = NEW, page {ListPage}, p50"), results, r => r.ListNew, first, r => r.Get, "ms", "vs GetRequest");
        Print(Report.Invariant($"ListRequests, no filter, first page of {ListPage}, p50"), results, r => r.ListAll, first, r => r.Get, "ms", "vs GetRequest");
        Print("ListRequests state = NEW, every page, mean per page", results, r => r.ListEveryPage, first, r => r.Get, "ms", "vs GetRequest");
        Print("  server CPU per ListRequests state = NEW", results, r => r.ListCpu, first, r => r.GetCpu, "ms", "vs GetRequest's");
        Print("GetQueueStats (supervisor screen), p50", results, r => r.QueueStats, first, r => r.Get, "ms", "vs GetRequest");
        Print("  server CPU per GetQueueStats", results, r => r.QueueStatsCpu, first, r => r.GetCpu, "ms", "vs GetRequest's");
        Print("SubmitRequest, 1 stream, p50", results, r => r.Submit, first, r => r.WhoAmI, "ms", "vs WhoAmI");
        Print("  server CPU per SubmitRequest", results, r => r.SubmitCpu, first, peer: null, "ms");
        Print("WatchRequests snapshot to snapshot_end, p50", results, r => r.Snapshot, first, r => r.ListNew, "ms", "vs a list page");
        Print(Report.Invariant($"{Consoles} consoles connecting at once: all live after"), results, r => r.ConsolesLive, first, r => r.Snapshot, "ms", "vs one snapshot");
        Print("server RSS after start", results, r => r.RssStart, first, peer: null, "MB");
        Print(Report.Invariant($"server RSS with {Consoles} consoles connected"), results, r => r.RssConsoles, first, r => r.RssStart, "MB", "vs at start");
        Print("server RSS 5 s after they left", results, r => r.RssAfter, first, r => r.RssStart, "MB", "vs at start");
        Report.Note(Report.Invariant($"snapshots sent {string.Join(" / ", results.Select(r => r.SnapshotRequests))} requests; lists and gets are {size.Calls} calls each, one at a time"));
    }

    private static async Task<ScaleResult> MeasureAsync(ScaleData data, ScaleSize size)
    {
        await using var server = await ServerChild.StartAsync(data.Directory, data.KeyFile);
        using var channel = server.NewChannel();
        var operators = new OperatorService.OperatorServiceClient(channel);
        var requests = new RequestService.RequestServiceClient(channel);
        var intake = new IntakeService.IntakeServiceClient(channel);
        var ids = data.OpenIds.Concat(data.ClosedIds).ToArray();

        // One of each call first: connections, JIT and the server's caches warm, as after a few minutes of service.
        await operators.WhoAmIAsync(new WhoAmIRequest(), ScaleCallers.As(ScaleCallers.Operator));
        await requests.ListRequestsAsync(new ListRequestsRequest { Filter = "state = NEW", PageSize = ListPage }, ScaleCallers.As(ScaleCallers.Operator));
        await Task.Delay(1_000);
        var rssStart = server.RssBytes;

        var whoAmI = await SequentialAsync(server, size.Calls,
            _ => operators.WhoAmIAsync(new WhoAmIRequest(), ScaleCallers.As(ScaleCallers.Operator)).ResponseAsync);
        var get = await SequentialAsync(server, size.Calls,
            i => requests.GetRequestAsync(new GetRequestRequest { Name = "requests/" + ids[i % ids.Length] }, ScaleCallers.As(ScaleCallers.Operator)).ResponseAsync);
        var listNew = await SequentialAsync(server, size.ListCalls,
            _ => requests.ListRequestsAsync(new ListRequestsRequest { Filter = "state = NEW", PageSize = ListPage }, ScaleCallers.As(ScaleCallers.Operator)).ResponseAsync);
        var listAll = await SequentialAsync(server, size.ListCalls,
            _ => requests.ListRequestsAsync(new ListRequestsRequest { PageSize = ListPage }, ScaleCallers.As(ScaleCallers.Operator)).ResponseAsync);
        var everyPage = await EveryPageAsync(requests);
        var stats = new StatsService.StatsServiceClient(channel);
        var queueStats = await SequentialAsync(server, size.ListCalls,
            _ => stats.GetQueueStatsAsync(new GetQueueStatsRequest(), ScaleCallers.As(ScaleCallers.Supervisor)).ResponseAsync);
        var submit = await SequentialAsync(server, size.Calls,
            i => intake.SubmitRequestAsync(Synthetic.SubmitRequest(Synthetic.NewKeyPrefix() + i), ScaleCallers.As(ScaleCallers.Intake)).ResponseAsync);

        var snapshots = new Latencies();
        var sent = 0;
        for (var i = 0; i < size.Snapshots; i++)
        {
            (var ms, sent) = await ScaleCallers.SnapshotAsync(new RequestService.RequestServiceClient(channel), CancellationToken.None);
            snapshots.Record(ms);
        }

        // Ten workstations, each its own connection, starting at once.
        var channels = Enumerable.Range(0, Consoles).Select(_ => server.NewChannel()).ToList();
        using var leave = new CancellationTokenSource();
        var started = Stopwatch.GetTimestamp();
        var live = channels.Select((c, i) => Hold(c, ScaleCallers.Consoles[i], leave.Token)).ToList();
        await Task.WhenAll(live.Select(l => l.Live));
        var allLive = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await Task.Delay(1_000);
        var rssConsoles = server.RssBytes;
        await leave.CancelAsync();
        await Task.WhenAll(live.Select(l => l.Ended));
        channels.ForEach(c => c.Dispose());
        await Task.Delay(5_000);
        var rssAfter = server.RssBytes;

        return new ScaleResult
        {
            Stored = data.Stored,
            WhoAmI = whoAmI.Latencies.Percentile(50),
            Get = get.Latencies.Percentile(50),
            GetCpu = get.CpuPerCall,
            ListNew = listNew.Latencies.Percentile(50),
            ListCpu = listNew.CpuPerCall,
            ListAll = listAll.Latencies.Percentile(50),
            ListEveryPage = everyPage,
            QueueStats = queueStats.Latencies.Percentile(50),
            QueueStatsCpu = queueStats.CpuPerCall,
            Submit = submit.Latencies.Percentile(50),
            SubmitCpu = submit.CpuPerCall,
            Snapshot = snapshots.Percentile(50),
            SnapshotRequests = sent,
            ConsolesLive = allLive,
            RssStart = rssStart / (1024 * 1024),
            RssConsoles = rssConsoles / (1024 * 1024),
            RssAfter = rssAfter / (1024 * 1024),
        };
    }

    private static async Task<(Latencies Latencies, double CpuPerCall)> SequentialAsync<T>(ServerChild server, int calls, Func<int, Task<T>> call)
    {
        var latencies = new Latencies();
        var cpuBefore = server.CpuMilliseconds;
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call(i);
            latencies.Record(start, Stopwatch.GetTimestamp());
        }
        return (latencies, (server.CpuMilliseconds - cpuBefore) / calls);
    }

    /// <summary>Pages through every NEW request with the page tokens the server hands out; the mean time per page.</summary>
    private static async Task<double> EveryPageAsync(RequestService.RequestServiceClient requests)
    {
        var pages = 0;
        var token = "";
        var started = Stopwatch.GetTimestamp();
        do
        {
            var page = await requests.ListRequestsAsync(new ListRequestsRequest { Filter = "state = NEW", PageSize = ListPage, PageToken = token },
                ScaleCallers.As(ScaleCallers.Operator));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds / pages;
    }

    /// <summary>A console: takes the snapshot, then stays connected until told to leave.</summary>
    private static (Task Live, Task Ended) Hold(Grpc.Net.Client.GrpcChannel channel, string caller, CancellationToken leave)
    {
        var live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = Task.Run(async () =>
        {
            using var call = new RequestService.RequestServiceClient(channel).WatchRequests(new WatchRequestsRequest(),
                ScaleCallers.Streaming(caller, leave));
            try
            {
                while (await call.ResponseStream.MoveNext(leave))
                {
                    if (call.ResponseStream.Current.EventCase == WatchRequestsResponse.EventOneofCase.SnapshotEnd)
                    {
                        live.TrySetResult();
                    }
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
            }
            catch (OperationCanceledException)
            {
            }
            catch (RpcException e)
            {
                live.TrySetException(e);
                return;
            }
            live.TrySetException(new InvalidOperationException("A console's stream ended before its snapshot did."));
        });
        return (live.Task, ended);
    }

    /// <summary>One line per figure: its value at each store size with the ratio to the smallest, then the ratio to its peer at each size.</summary>
    private static void Print(string title, List<ScaleResult> results, Func<ScaleResult, double> value, ScaleResult first,
        Func<ScaleResult, double>? peer, string unit, string peerLabel = "")
    {
        var cells = results.Select((r, i) => i == 0
            ? Report.Invariant($"{value(r):0.0} {unit}")
            : Report.Invariant($"{value(r):0.0} ({value(r) / value(first):0.00}x)"));
        var line = "  " + title.PadRight(TitleWidth) + string.Concat(cells.Select(c => c.PadLeft(CellWidth)));
        if (peer is not null)
        {
            line += "   " + string.Join(" / ", results.Select(r => Report.Ratio(value(r) / peer(r)))) + " " + peerLabel;
        }
        Console.WriteLine(line);
    }

    private static void PrintHeader(List<ScaleResult> results) =>
        Console.WriteLine("  " + "stored:".PadRight(TitleWidth) +
            string.Concat(results.Select((r, i) => Report.Invariant($"{r.Stored:N0}{(i == 0 ? "" : " (vs first)")}").PadLeft(CellWidth))) +
            "   ratio to the peer at each size");

    private static long DirectoryBytes(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private sealed record ScaleResult
    {
        public int Stored { get; init; }
        public double WhoAmI { get; init; }
        public double Get { get; init; }
        public double GetCpu { get; init; }
        public double ListNew { get; init; }
        public double ListCpu { get; init; }
        public double ListAll { get; init; }
        public double ListEveryPage { get; init; }
        public double QueueStats { get; init; }
        public double QueueStatsCpu { get; init; }
        public double Submit { get; init; }
        public double SubmitCpu { get; init; }
        public double Snapshot { get; init; }
        public int SnapshotRequests { get; init; }
        public double ConsolesLive { get; init; }
        public double RssStart { get; init; }
        public double RssConsoles { get; init; }
        public double RssAfter { get; init; }
    }
}

/// <summary>How big the data-scale run is: the stores it fills and how many calls it times on each.</summary>
internal sealed record ScaleSize
{
    /// <summary>1,000 / 10,000 / 100,000 stored: about five minutes on two cores, most of it filling.</summary>
    public static readonly ScaleSize Full = new() { Stored = [1_000, 10_000, 100_000], Open = 1_000, Calls = 200, ListCalls = 30, Snapshots = 5 };

    /// <summary>Adds 1,000,000 stored: documented, not in CI (about an hour of filling on two cores).</summary>
    public static readonly ScaleSize Million = Full with { Stored = [1_000, 10_000, 100_000, 1_000_000] };

    /// <summary>For CI: every path runs and prints, at sizes too small for the figures to mean much.</summary>
    public static readonly ScaleSize Smoke = new() { Stored = [200, 1_000], Open = 100, Calls = 20, ListCalls = 5, Snapshots = 2 };

    public required int[] Stored { get; init; }
    public required int Open { get; init; }
    public required int Calls { get; init; }
    public required int ListCalls { get; init; }
    public required int Snapshots { get; init; }
}
