using System.Diagnostics;
using System.Text.Json;
using Hotline.Domain;
using Hotline.Storage;
using Hotline.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Benchmarks;

/// <summary>
/// A data directory holding <see cref="Stored"/> requests, <see cref="Open"/> of them still open
/// (NEW) and the rest closed days ago, as a hotline looks after years of use with retention off.
/// Filled straight through <see cref="LiteDbRequestStore"/> or <see cref="PostgresRequestStore"/> (the same writes the server makes),
/// with a clock set back so the closed history is older than the watch window.
/// </summary>
internal sealed class ScaleData
{
    private const int Submitters = 64;
    private static readonly OperatorAccount Closer = new(ScaleCallers.Supervisor, "Closer", Role.Supervisor);

    private ScaleData(string directory, string keyFile, int stored, int open, string[] openIds, string[] closedIds, TimeSpan fillTime)
    {
        Directory = directory;
        KeyFile = keyFile;
        Stored = stored;
        Open = open;
        OpenIds = openIds;
        ClosedIds = closedIds;
        FillTime = fillTime;
    }

    public string Directory { get; }

    public string KeyFile { get; }

    public int Stored { get; }

    public int Open { get; }

    /// <summary>Ids of open requests (all of them).</summary>
    public string[] OpenIds { get; }

    /// <summary>Ids of up to 1,000 closed requests spread over the history.</summary>
    public string[] ClosedIds { get; }

    public TimeSpan FillTime { get; }

    /// <summary>
    /// The store kept at <paramref name="directory"/> by an earlier run, if that run finished filling
    /// it (its manifest is written last), or a new one filled there.
    /// </summary>
    public static async Task<ScaleData> FillOrReuseAsync(string directory, int stored, int open)
    {
        var manifestFile = directory + ".filled.json";
        if (File.Exists(manifestFile))
        {
            var kept = JsonSerializer.Deserialize<Manifest>(await File.ReadAllTextAsync(manifestFile))
                ?? throw new InvalidDataException(manifestFile + " is empty.");
            if (kept.Stored != stored || kept.Open != open)
            {
                throw new InvalidDataException(Report.Invariant($"{manifestFile} holds {kept.Stored} stored and {kept.Open} open, not {stored} and {open}."));
            }
            // This run's callers have new tokens: the kept accounts take them, as an admin's rotation would.
            using (var store = LiteDbRequestStore.Open(directory, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance,
                NullLogger.Instance, BenchKeys.MasterKey))
            {
                foreach (var (id, _, token) in ScaleCallers.All)
                {
                    await store.ExecuteAsync(new ReplaceTokenCommand(id, AccessTokens.Hash(token)), CancellationToken.None);
                }
            }
            return new ScaleData(directory, BenchKeys.WriteFile(directory + ".key"), stored, open, kept.OpenIds, kept.ClosedIds, TimeSpan.FromSeconds(kept.FillSeconds));
        }
        if (System.IO.Directory.Exists(directory))
        {
            // A fill cut short: its store is incomplete.
            System.IO.Directory.Delete(directory, recursive: true);
        }
        var data = await FillAsync(directory, stored, open);
        var manifest = new Manifest(stored, open, data.OpenIds, data.ClosedIds, data.FillTime.TotalSeconds);
        await File.WriteAllTextAsync(manifestFile, JsonSerializer.Serialize(manifest));
        return data;
    }

    public static async Task<ScaleData> FillAsync(string directory, int stored, int open)
    {
        var started = Stopwatch.StartNew();
        var clock = new OffsetClock(TimeSpan.FromDays(-3));
        string[] openIds;
        string[] closedIds;
        using (var store = LiteDbRequestStore.Open(directory, new RequestStoreOptions(), clock, NoChangeListener.Instance, NullLogger.Instance,
            BenchKeys.MasterKey))
        {
            (openIds, closedIds) = await FillStoreAsync(store, clock, stored, open);
        }
        return new ScaleData(directory, BenchKeys.WriteFile(directory + ".key"), stored, open, openIds, closedIds, started.Elapsed);
    }

    /// <summary>
    /// The same history in a PostgreSQL database, written through <see cref="PostgresRequestStore"/>;
    /// <paramref name="directory"/> receives the master key file the servers on that database are given.
    /// </summary>
    public static async Task<ScaleData> FillPostgresAsync(string connectionString, string directory, int stored, int open)
    {
        var started = Stopwatch.StartNew();
        var clock = new OffsetClock(TimeSpan.FromDays(-3));
        string[] openIds;
        string[] closedIds;
        using (var store = await PostgresRequestStore.OpenAsync(connectionString, new RequestStoreOptions(), clock, NoChangeListener.Instance,
            NullLogger.Instance, BenchKeys.MasterKey, reReadInterval: null, CancellationToken.None))
        {
            (openIds, closedIds) = await FillStoreAsync(store, clock, stored, open);
        }
        System.IO.Directory.CreateDirectory(directory);
        return new ScaleData(directory, BenchKeys.WriteFile(Path.Combine(directory, "master.key")), stored, open, openIds, closedIds, started.Elapsed);
    }

    private static async Task<(string[] OpenIds, string[] ClosedIds)> FillStoreAsync<TStore>(TStore store, OffsetClock clock, int stored, int open)
        where TStore : IRequestStore, IOperatorStore
    {
        var closedIds = new List<string>();
        var openIds = new string[open];
        foreach (var (id, role, token) in ScaleCallers.All)
        {
            await store.ExecuteAsync(new AddOperatorCommand(id, id, role, AccessTokens.Hash(token)), CancellationToken.None);
        }
        var prefix = Synthetic.NewKeyPrefix();
        var closing = stored - open;
        var keepEvery = Math.Max(1, closing / 1_000);
        await Concurrently.ForEachAsync(closing, Submitters, async i =>
        {
            var receipt = await store.SubmitAsync(Synthetic.Submission(prefix + i), CancellationToken.None);
            await store.ExecuteAsync(receipt.RequestId, new CloseCommand(Closer, Resolution.InformationGiven), CancellationToken.None);
            if (i % keepEvery == 0)
            {
                lock (closedIds)
                {
                    closedIds.Add(receipt.RequestId);
                }
            }
        });
        // The open ones arrive last and now: the history is three days old, beyond the watch window.
        clock.Offset = TimeSpan.Zero;
        await Concurrently.ForEachAsync(open, Math.Min(Submitters, open), async i =>
            openIds[i] = (await store.SubmitAsync(Synthetic.Submission(prefix + "open-" + i), CancellationToken.None)).RequestId);
        return (openIds, [.. closedIds]);
    }

    private sealed record Manifest(int Stored, int Open, string[] OpenIds, string[] ClosedIds, double FillSeconds);

    /// <summary>
    /// The real clock moved by <see cref="Offset"/>, so a history can be days old without waiting days.
    /// It keeps running: requests committed in different batches get different times, as in service
    /// (a frozen clock would give the whole history one create time, a tie no real store has).
    /// </summary>
    private sealed class OffsetClock(TimeSpan offset) : TimeProvider
    {
        public TimeSpan Offset { get; set; } = offset;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + Offset;
    }
}
