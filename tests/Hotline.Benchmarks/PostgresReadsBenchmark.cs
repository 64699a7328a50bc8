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
                            sent[setup.Name + "/snapshot"] = (await ScaleCallers.SnapshotAsync(clients[caller % clients.Length], CancellationToken.None)).Requests);
                        if (rep >= 0)
                        {
                            PostgresBenchmark.Add(results, PostgresBenchmark.Key(setup.Name, "list", callers), listed);
                            PostgresBenchmark.Add(results, PostgresBenchmark.Key(setup.Name, "snapshot", callers), snapshots);
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
        PostgresBenchmark.CompareRows(results, [("list", "ListRequests NEW"), ("snapshot", "Watch snapshot")], CallerCounts);
        Report.Note(Report.Invariant(
            $"ListRequests NEW: filter state = NEW, page size {Page}; a watch snapshot: WatchRequests from the call to snapshot_end"));
        Report.Note(Report.Invariant(
            $"each store holds {stored:N0} requests, {open} open; a page returned {sent["PostgreSQL/list"]} and a snapshot {sent["PostgreSQL/snapshot"]} on PostgreSQL ({sent["LiteDB/list"]} and {sent["LiteDB/snapshot"]} on LiteDB)"));
        Report.Note(Report.Invariant(
            $"filled through the store in {liteFill.TotalSeconds:0} s (LiteDB) and {pgFill.TotalSeconds:0} s (PostgreSQL); every server is a process of its own, the callers in this one; a watch writes its audit record (the head row) as it starts and ends"));
    }

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
