using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Net.Client;
using Hotline.Contract.V1;
using Hotline.Tests.Shared;

namespace Hotline.Benchmarks;

/// <summary>
/// Reads spread over several servers: ListRequests (state = NEW, one page of 100) and a
/// WatchRequests snapshot (from the call to snapshot_end, as a console connecting), at 1 and 16
/// callers, on a LiteDB server, one PostgreSQL server, and two PostgreSQL servers on one database
/// with the callers split across both. Each server is the built binary in a process of its own
/// (<see cref="ServerChild"/>); the stores hold the same history, filled through the store itself
/// with about 1% of it open and the rest closed days ago (<see cref="ScaleData"/>). Peers in the
/// same run: the same read on the LiteDB server, and on one PostgreSQL server for two.
/// </summary>
internal static class PostgresReadsBenchmark
{
    private const int Page = 100;
    private static readonly int[] CallerCounts = [1, 16];

    public static async Task RunAsync(PostgresCluster cluster, RunSize size)
    {
        var stored = size == RunSize.Smoke ? 300 : 10_000;
        var open = Math.Max(3, stored / 100);
        using var scratch = new ScratchDirectory();
        var filling = Stopwatch.StartNew();
        var liteData = await ScaleData.FillAsync(scratch.Sub("lite"), stored, open);
        var liteFill = filling.Elapsed;
        var database = cluster.CreateDatabase();
        var pgData = await ScaleData.FillPostgresAsync(database, scratch.Sub("postgres-key"), stored, open);
        var pgFill = filling.Elapsed - liteFill;

        // 16 callers watch as one account: the per-person cap (8 streams) is raised so none is refused.
        string[] watchers = ["--Hotline:Watch:MaxStreamsPerCaller", "64"];
        string[] onPostgres = [.. watchers, "--Hotline:Store", "postgres", "--Hotline:Postgres:ConnectionString", database];
        await using var lite = await ServerChild.StartAsync(liteData.Directory, liteData.KeyFile, watchers);
        await using var pgFirst = await ServerChild.StartAsync(scratch.Sub("postgres-1"), pgData.KeyFile, onPostgres);
        await using var pgSecond = await ServerChild.StartAsync(scratch.Sub("postgres-2"), pgData.KeyFile, onPostgres);
        var setups = new Setup[] { new("LiteDB", [lite]), new("PostgreSQL", [pgFirst]), new("PostgreSQL, two servers", [pgFirst, pgSecond]) };
        var results = new Dictionary<string, List<PostgresBenchmark.Outcome>>(StringComparer.Ordinal);
        var sent = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        try
        {
            for (var rep = -1; rep < size.Repetitions; rep++)
            {
                var scale = rep < 0 ? 5 : 1;
                foreach (var callers in CallerCounts)
                {
                    var count = (callers == 1 ? size.SequentialCalls : size.ConcurrentCalls) / scale;
                    foreach (var setup in setups.Where(s => callers > 1 || s.Channels.Length == 1))
                    {
                        var clients = setup.Channels.Select(c => new RequestService.RequestServiceClient(c)).ToArray();
                        var listed = await PostgresBenchmark.MeasureAsync(callers, count, async (caller, _) =>
                        {
                            var page = await clients[caller % clients.Length].ListRequestsAsync(new ListRequestsRequest { Filter = "state = NEW", PageSize = Page },
                                ScaleCallers.As(ScaleCallers.Operator));
                            sent[setup.Name + "/list"] = page.Requests.Count;
                        });
                        // A snapshot is several times a page's work; fewer of them keep the section short.
                        var snapshots = await PostgresBenchmark.MeasureAsync(callers, Math.Max(callers, count / 4), async (caller, _) =>
                            sent[setup.Name + "/snapshot"] = await SnapshotAsync(clients[caller % clients.Length]));
                        if (rep >= 0)
                        {
                            Add(results, Key(setup.Name, "list", callers), listed);
                            Add(results, Key(setup.Name, "snapshot", callers), snapshots);
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (var setup in setups)
            {
                setup.Dispose();
            }
        }

        Report.Columns("calls/s   p50 / p99", "ratio (calls/s)");
        foreach (var (operation, label) in new[] { ("list", "ListRequests NEW"), ("snapshot", "Watch snapshot") })
        {
            foreach (var callers in CallerCounts)
            {
                var lites = results[Key("LiteDB", operation, callers)];
                var ones = results[Key("PostgreSQL", operation, callers)];
                Row(Report.Invariant($"{label}, LiteDB, {callers} {Callers(callers)}"), lites, lites, "");
                Row(Report.Invariant($"{label}, PostgreSQL, {callers} {Callers(callers)}"), ones, lites, "vs LiteDB");
                if (callers > 1)
                {
                    var twos = results[Key("PostgreSQL, two servers", operation, callers)];
                    Row(Report.Invariant($"{label}, PostgreSQL x2, {callers} callers"), twos, ones, "vs one server, "
                        + Report.Ratio(Repeated.MedianRatio(Rates(twos), Rates(lites))) + " vs LiteDB");
                }
            }
        }
        Report.Note(Report.Invariant(
            $"ListRequests NEW: filter state = NEW, page size {Page}; a watch snapshot: WatchRequests from the call to snapshot_end"));
        Report.Note(Report.Invariant(
            $"each store holds {stored:N0} requests, {open} open; a page returned {sent["PostgreSQL/list"]} and a snapshot {sent["PostgreSQL/snapshot"]} on PostgreSQL ({sent["LiteDB/list"]} and {sent["LiteDB/snapshot"]} on LiteDB)"));
        Report.Note(Report.Invariant(
            $"filled through the store in {liteFill.TotalSeconds:0} s (LiteDB) and {pgFill.TotalSeconds:0} s (PostgreSQL); every server is a process of its own, the callers in this one; a watch writes its audit record (the head row) as it starts and ends"));
    }

    /// <summary>A console connecting: from the call to snapshot_end; the requests it was sent.</summary>
    private static async Task<int> SnapshotAsync(RequestService.RequestServiceClient client)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = client.WatchRequests(new WatchRequestsRequest(), ScaleCallers.Streaming(ScaleCallers.Operator, stop.Token));
        var requests = 0;
        while (await call.ResponseStream.MoveNext(stop.Token))
        {
            var message = call.ResponseStream.Current;
            if (message.EventCase == WatchRequestsResponse.EventOneofCase.Snapshot)
            {
                requests += message.Snapshot.Requests.Count;
            }
            else if (message.EventCase == WatchRequestsResponse.EventOneofCase.SnapshotEnd)
            {
                await stop.CancelAsync();
                return requests;
            }
        }
        throw new InvalidOperationException("The watch stream ended before its snapshot did.");
    }

    private static void Add(Dictionary<string, List<PostgresBenchmark.Outcome>> results, string key, PostgresBenchmark.Outcome outcome) =>
        (results.TryGetValue(key, out var list) ? list : results[key] = []).Add(outcome);

    private static string Callers(int count) => count == 1 ? "caller" : "callers";

    private static string Key(string setup, string operation, int callers) => Report.Invariant($"{setup}/{operation}/{callers}");

    private static void Row(string label, List<PostgresBenchmark.Outcome> outcomes, List<PostgresBenchmark.Outcome> peer, string peerName) =>
        Report.Row(label,
            Report.Rate(Repeated.Median(Rates(outcomes))) + "   " +
            Report.LatencyPair(Repeated.Median([.. outcomes.Select(o => o.P50)]), Repeated.Median([.. outcomes.Select(o => o.P99)])),
            ReferenceEquals(outcomes, peer) ? "1.00x" : Report.Ratio(Repeated.MedianRatio(Rates(outcomes), Rates(peer))) + " " + peerName);

    private static List<double> Rates(List<PostgresBenchmark.Outcome> outcomes) => [.. outcomes.Select(o => o.PerSecond)];

    /// <summary>The servers of one configuration, a channel (one HTTP/2 connection) to each.</summary>
    private sealed class Setup(string name, ServerChild[] servers) : IDisposable
    {
        public string Name { get; } = name;

        public GrpcChannel[] Channels { get; } = [.. servers.Select(s => s.NewChannel())];

        public void Dispose()
        {
            foreach (var channel in Channels)
            {
                channel.Dispose();
            }
        }
    }
}
