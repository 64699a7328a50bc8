using System.Diagnostics;
using Grpc.Net.Client;
using Hotline.Contract.V1;
using Hotline.Tests.Shared;
using Npgsql;

namespace Hotline.Benchmarks;

/// <summary>
/// SubmitRequest and claims (AssignRequest of distinct requests to the caller) over real HTTP/2 on
/// loopback at 1, 16 and 64 callers: on a LiteDB server, on one PostgreSQL server, and on two
/// PostgreSQL servers sharing one database with the callers split across both. All servers run
/// in this process, on a throwaway cluster (<see cref="PostgresCluster"/>, fsync on) on the same
/// disk as the LiteDB store. Peers in the same run: LiteDB at the same number of callers, one
/// PostgreSQL server for two, and, for the price of gap-free revisions, the same single-row insert
/// transaction in raw SQL taking its revision from the head row (locked until commit, as the store
/// does) or from a sequence (no lock, gaps and out-of-order commits possible). Then the reads,
/// spread over two servers the same way: <see cref="PostgresReadsBenchmark"/>.
/// </summary>
internal static class PostgresBenchmark
{
    private static readonly int[] CallerCounts = [1, 16, 64];

    public static async Task RunAsync(RunSize size)
    {
        Report.Section("12. PostgreSQL: SubmitRequest and claim, then ListRequests and watch snapshots, over gRPC, one and two servers on one database",
            "peers: the same calls on a LiteDB server; one PostgreSQL server (for x2, two servers on one database);\n  raw SQL, one insert per transaction, revision from a sequence (for the same with the head row)");
        PostgresCluster cluster;
        try
        {
            cluster = PostgresCluster.Start();
        }
        catch (InvalidOperationException error)
        {
            Report.Note("skipped: no PostgreSQL cluster could be started here: " + error.Message.Split('\n')[0]);
            return;
        }
        using (cluster)
        {
            await RunOnAsync(cluster, size);
            await PostgresReadsBenchmark.RunAsync(cluster, size);
        }
    }

    private static async Task RunOnAsync(PostgresCluster cluster, RunSize size)
    {
        var database = cluster.CreateDatabase();
        await using var lite = await BenchServer.StartAsync();
        await using var pgFirst = await BenchServer.StartAsync(database);
        await using var pgSecond = await BenchServer.StartAsync(database);
        await using var peer = await HeadRowPeer.CreateAsync(cluster.CreateDatabase());
        var setups = new Setup[] { new("LiteDB", [lite]), new("PostgreSQL", [pgFirst]), new("PostgreSQL, two servers", [pgFirst, pgSecond]) };
        var results = new Dictionary<string, List<Outcome>>(StringComparer.Ordinal);
        for (var rep = -1; rep < size.Repetitions; rep++)
        {
            var scale = rep < 0 ? 5 : 1;
            var outcomes = new Dictionary<string, Outcome>(StringComparer.Ordinal);
            foreach (var callers in CallerCounts)
            {
                var count = (callers == 1 ? size.SequentialCalls : size.ConcurrentCalls) / scale;
                foreach (var setup in setups.Where(s => callers > 1 || s.Servers.Length == 1))
                {
                    var prefix = Synthetic.NewKeyPrefix();
                    var intakes = setup.Channels.Select(c => new IntakeService.IntakeServiceClient(c)).ToArray();
                    var requests = setup.Channels.Select(c => new RequestService.RequestServiceClient(c)).ToArray();
                    outcomes[Key(setup.Name, "submit", callers)] = await MeasureAsync(callers, count, (caller, i) =>
                        intakes[caller % intakes.Length].SubmitRequestAsync(Synthetic.SubmitRequest(prefix + "s" + i), BenchServer.As(Synthetic.IntakeCaller)).ResponseAsync);
                    // The requests to claim are submitted first, untimed; each claim takes a different one.
                    var names = new string[count];
                    await MeasureAsync(16, count, async (caller, i) =>
                        names[i] = (await intakes[caller % intakes.Length].SubmitRequestAsync(Synthetic.SubmitRequest(prefix + "c" + i), BenchServer.As(Synthetic.IntakeCaller))).Name);
                    outcomes[Key(setup.Name, "claim", callers)] = await MeasureAsync(callers, count, (caller, i) =>
                        requests[caller % requests.Length].AssignRequestAsync(new AssignRequestRequest { Name = names[i] }, BenchServer.As(Synthetic.OperatorCaller)).ResponseAsync);
                }
                outcomes[Key("sequence", "insert", callers)] = await peer.InsertAsync(headRow: false, callers, count);
                outcomes[Key("head", "insert", callers)] = await peer.InsertAsync(headRow: true, callers, count);
            }
            if (rep < 0)
            {
                continue;
            }
            foreach (var (key, outcome) in outcomes)
            {
                Add(results, key, outcome);
            }
        }
        foreach (var setup in setups)
        {
            setup.Dispose();
        }

        Report.Columns("calls/s   p50 / p99", "ratio (calls/s)");
        CompareRows(results, [("submit", "SubmitRequest"), ("claim", "AssignRequest")], CallerCounts);
        foreach (var callers in CallerCounts)
        {
            var sequence = results[Key("sequence", "insert", callers)];
            Row(Report.Invariant($"raw insert, sequence revision, {callers} {Callers(callers)}"), sequence, sequence, "");
            Row(Report.Invariant($"raw insert, head row revision, {callers} {Callers(callers)}"), results[Key("head", "insert", callers)], sequence, "vs sequence");
        }
        Report.Note("Both servers run in this process, on the same cores as the callers and PostgreSQL; every write on either takes the one head row.");
        Report.Note("The raw SQL rows are one small row per transaction; the store groups what waits on a server into one transaction.");
    }

    /// <summary>
    /// Per operation and caller count: LiteDB, one PostgreSQL server against it, and above one caller
    /// two PostgreSQL servers against one and against LiteDB (results keyed by <see cref="Key"/>).
    /// </summary>
    internal static void CompareRows(Dictionary<string, List<Outcome>> results, IEnumerable<(string Operation, string Label)> operations, int[] callerCounts)
    {
        foreach (var (operation, label) in operations)
        {
            foreach (var callers in callerCounts)
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
    }

    internal static void Add(Dictionary<string, List<Outcome>> results, string key, Outcome outcome) =>
        (results.TryGetValue(key, out var list) ? list : results[key] = []).Add(outcome);

    internal static string Key(string setup, string operation, int callers) => Report.Invariant($"{setup}/{operation}/{callers}");

    private static string Callers(int count) => count == 1 ? "caller" : "callers";

    private static void Row(string label, List<Outcome> outcomes, List<Outcome> peer, string peerName) =>
        Report.Row(label,
            Report.Rate(Repeated.Median(Rates(outcomes))) + "   " +
            Report.LatencyPair(Repeated.Median([.. outcomes.Select(o => o.P50)]), Repeated.Median([.. outcomes.Select(o => o.P99)])),
            ReferenceEquals(outcomes, peer) ? "1.00x" : Report.Ratio(Repeated.MedianRatio(Rates(outcomes), Rates(peer))) + " " + peerName);

    private static List<double> Rates(List<Outcome> outcomes) => [.. outcomes.Select(o => o.PerSecond)];

    /// <summary><paramref name="count"/> calls from <paramref name="callers"/> concurrent callers, each waiting for its answer before its next call.</summary>
    internal static async Task<Outcome> MeasureAsync(int callers, int count, Func<int, int, Task> call)
    {
        var next = -1;
        var parts = Enumerable.Range(0, callers).Select(_ => new Latencies()).ToArray();
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(parts.Select((latencies, caller) => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var callStarted = Stopwatch.GetTimestamp();
                await call(caller, i);
                latencies.Record(callStarted, Stopwatch.GetTimestamp());
            }
        })));
        var perSecond = Repeated.PerSecond(count, started);
        var merged = Latencies.Merge(parts);
        return new Outcome(perSecond, merged.Percentile(50), merged.Percentile(99));
    }

    internal sealed record Outcome(double PerSecond, double P50, double P99);

    /// <summary>The servers of one configuration and a channel (one HTTP/2 connection) to each.</summary>
    private sealed class Setup(string name, BenchServer[] servers) : IDisposable
    {
        public string Name { get; } = name;

        public BenchServer[] Servers { get; } = servers;

        public GrpcChannel[] Channels { get; } = [.. servers.Select(s => s.NewChannel())];

        public void Dispose()
        {
            foreach (var channel in Channels)
            {
                channel.Dispose();
            }
        }
    }

    /// <summary>
    /// What one write transaction pays for a gap-free revision, without the rest of the store: a
    /// row of a sealed request's size inserted in a transaction of its own, its revision taken either
    /// from a one-row head table (<c>UPDATE ... RETURNING</c>, the row locked until commit, so
    /// commits queue behind each other's WAL flush) or from a sequence (nothing held).
    /// </summary>
    private sealed class HeadRowPeer : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _source;
        private readonly byte[] _body = new byte[1024];

        private HeadRowPeer(NpgsqlDataSource source)
        {
            _source = source;
            new Random(11).NextBytes(_body);
        }

        public static async Task<HeadRowPeer> CreateAsync(string connectionString)
        {
            // 64 callers each hold a connection for the whole run.
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = CallerCounts.Max() + 2 };
            var peer = new HeadRowPeer(NpgsqlDataSource.Create(builder.ConnectionString));
            await using var command = peer._source.CreateCommand("""
                CREATE TABLE peer_head (id integer PRIMARY KEY, revision bigint NOT NULL);
                INSERT INTO peer_head VALUES (1, 0);
                CREATE TABLE peer_head_rows (revision bigint PRIMARY KEY, body bytea NOT NULL);
                CREATE SEQUENCE peer_revision;
                CREATE TABLE peer_sequence_rows (revision bigint PRIMARY KEY, body bytea NOT NULL);
                """);
            await command.ExecuteNonQueryAsync();
            return peer;
        }

        public async Task<Outcome> InsertAsync(bool headRow, int callers, int count)
        {
            var connections = new NpgsqlConnection?[callers];
            try
            {
                return await MeasureAsync(callers, count, async (caller, _) =>
                {
                    var connection = connections[caller] ??= await _source.OpenConnectionAsync();
                    await using var transaction = await connection.BeginTransactionAsync();
                    await using var insert = new NpgsqlCommand(
                        headRow ? "INSERT INTO peer_head_rows (revision, body) VALUES (@revision, @body)"
                            : "INSERT INTO peer_sequence_rows (revision, body) VALUES (nextval('peer_revision'), @body)",
                        connection, transaction);
                    if (headRow)
                    {
                        await using var head = new NpgsqlCommand("UPDATE peer_head SET revision = revision + 1 WHERE id = 1 RETURNING revision", connection, transaction);
                        insert.Parameters.AddWithValue("revision", (long)(await head.ExecuteScalarAsync())!);
                    }
                    insert.Parameters.AddWithValue("body", _body);
                    await insert.ExecuteNonQueryAsync();
                    await transaction.CommitAsync();
                });
            }
            finally
            {
                foreach (var connection in connections)
                {
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                    }
                }
            }
        }

        public ValueTask DisposeAsync() => _source.DisposeAsync();
    }
}
