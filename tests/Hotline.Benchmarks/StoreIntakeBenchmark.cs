using System.Diagnostics;
using Hotline.Storage;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Benchmarks;

/// <summary>
/// Durable submits straight into <see cref="LiteDbRequestStore"/> on disk, against two raw LiteDB
/// peers on the same disk with the same document shape and indexes: one transaction plus checkpoint
/// per insert (what "on disk before OK" costs without group commit), and one bulk transaction (the ceiling).
/// </summary>
internal static class StoreIntakeBenchmark
{
    private static readonly int[] Submitters = [1, 16, 64];

    /// <summary>Submits per transaction for the schema peer's grouped row: about what the store's writer groups at 64 submitters.</summary>
    internal const int SchemaGroup = 48;

    public static async Task RunAsync(RunSize size)
    {
        Report.Section("1. Store intake: LiteDbRequestStore.SubmitAsync, durable (checkpoint before OK), data on disk",
            "peers: raw LiteDB, a request-sized document with three indexes (_id, state, number): one transaction + Checkpoint per insert; bulk insert in one transaction + Checkpoint;\n" +
            "         raw LiteDB, the documents one submit writes, built by the store's mappers into its collections and indexes (SchemaPeer)");
        using var scratch = new ScratchDirectory();
        using var perInsertDb = RawDatabase(scratch.Sub("per-insert"));
        using var bulkDb = RawDatabase(scratch.Sub("bulk"));
        using var schemaPeer = new SchemaPeer(scratch.Sub("schema"));
        var stores = Submitters.ToDictionary(n => n, n => OpenStore(scratch.Sub("store-" + n)));
        try
        {
            var perInsert = new List<double>();
            var bulk = new List<double>();
            var schemaOne = new List<double>();
            var schemaGrouped = new List<double>();
            var store = Submitters.ToDictionary(n => n, _ => new List<double>());
            long nextNumber = 1;
            for (var rep = -1; rep < size.Repetitions; rep++)
            {
                var warmUp = rep < 0;
                var perInsertRate = InsertOneByOne(perInsertDb, ref nextNumber, warmUp ? 50 : size.SingleSubmits);
                var storeRates = new Dictionary<int, double>();
                foreach (var n in Submitters)
                {
                    var count = n == 1 ? size.SingleSubmits : size.ConcurrentSubmits;
                    storeRates[n] = await SubmitAsync(stores[n], n, warmUp ? count / 5 : count);
                }
                var bulkRate = InsertInBulk(bulkDb, ref nextNumber, warmUp ? size.BulkInserts / 5 : size.BulkInserts);
                var schemaOneRate = schemaPeer.Write(warmUp ? 50 : size.SingleSubmits, 1);
                var schemaGroupedRate = schemaPeer.Write(warmUp ? size.ConcurrentSubmits / 5 : size.ConcurrentSubmits, SchemaGroup);
                if (warmUp)
                {
                    continue;
                }
                schemaOne.Add(schemaOneRate);
                schemaGrouped.Add(schemaGroupedRate);
                perInsert.Add(perInsertRate);
                bulk.Add(bulkRate);
                foreach (var n in Submitters)
                {
                    store[n].Add(storeRates[n]);
                }
            }
            Report.Columns("submits/s", "vs per-insert      vs bulk ceiling     submits per transaction");
            Report.Row("raw LiteDB, transaction + checkpoint per insert", Report.Rate(Repeated.Median(perInsert)),
                Row(1, Repeated.MedianRatio(perInsert, bulk), 1));
            foreach (var n in Submitters)
            {
                var s = stores[n];
                Report.Row(Report.Invariant($"store, {n} concurrent submitter{(n == 1 ? "" : "s")}"), Report.Rate(Repeated.Median(store[n])),
                    Row(Repeated.MedianRatio(store[n], perInsert), Repeated.MedianRatio(store[n], bulk), (double)s.Submitted / s.Store.BatchCount));
            }
            Report.Row("raw LiteDB, bulk insert in one transaction", Report.Rate(Repeated.Median(bulk)),
                Row(Repeated.MedianRatio(bulk, perInsert), 1, double.NaN));
            Report.Row("raw LiteDB, a submit's documents, 1 per tx", Report.Rate(Repeated.Median(schemaOne)),
                Row(Repeated.MedianRatio(schemaOne, perInsert), Repeated.MedianRatio(schemaOne, bulk), 1));
            Report.Row(Report.Invariant($"raw LiteDB, a submit's documents, {SchemaGroup} per tx"), Report.Rate(Repeated.Median(schemaGrouped)),
                Row(Repeated.MedianRatio(schemaGrouped, perInsert), Repeated.MedianRatio(schemaGrouped, bulk), SchemaGroup));
        }
        finally
        {
            foreach (var s in stores.Values)
            {
                s.Store.Dispose();
            }
        }
        await MeasureHeapGrowthAsync(size, scratch);
    }

    /// <summary>
    /// Heap after a full blocking collection, before and after storing a run of requests. What
    /// stays is LiteDB's page cache and the store's own state; the submissions themselves are garbage.
    /// </summary>
    private static async Task MeasureHeapGrowthAsync(RunSize size, ScratchDirectory scratch)
    {
        var directory = scratch.Sub("memory");
        var opened = OpenStore(directory);
        using var store = opened.Store;
        await SubmitAsync(opened, 64, 500);
        var heapBefore = SettledHeap();
        var diskBefore = scratch.Bytes("memory");
        await SubmitAsync(opened, 64, size.StoredForMemory);
        var heapAfter = SettledHeap();
        var diskAfter = scratch.Bytes("memory");
        var scale = 10_000.0 / size.StoredForMemory;
        Report.Row(Report.Invariant($"managed heap growth per 10,000 stored ({size.StoredForMemory:N0} measured)"),
            Report.Megabytes((heapAfter - heapBefore) * scale),
            Report.Invariant($"data file growth: {Report.Megabytes((diskAfter - diskBefore) * scale)}"));
    }

    private static long SettledHeap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Row(double vsPerInsert, double vsBulk, double perTransaction) =>
        Report.Ratio(vsPerInsert).PadRight(19) + Report.Ratio(vsBulk).PadRight(20) +
        (double.IsNaN(perTransaction) ? "all" : Report.Invariant($"{perTransaction:0.0}"));

    internal static OpenedStore OpenStore(string directory) =>
        new(LiteDbRequestStore.Open(directory, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance, NullLogger.Instance,
            BenchKeys.MasterKey));

    /// <summary>Submits <paramref name="count"/> requests from <paramref name="submitters"/> concurrent callers; returns submits/s.</summary>
    internal static async Task<double> SubmitAsync(OpenedStore opened, int submitters, int count)
    {
        var prefix = Synthetic.NewKeyPrefix();
        var started = Stopwatch.GetTimestamp();
        await Concurrently.ForEachAsync(count, submitters, i => opened.Store.SubmitAsync(Synthetic.Submission(prefix + i), CancellationToken.None));
        var rate = Repeated.PerSecond(count, started);
        opened.Submitted += count;
        return rate;
    }

    internal static LiteDatabase RawDatabase(string directory, bool indexes = true)
    {
        Directory.CreateDirectory(directory);
        var database = new LiteDatabase(new ConnectionString
        {
            Filename = Path.Combine(directory, "raw.db"),
            Connection = ConnectionType.Direct,
            AutoRebuild = false,
            Collation = Collation.Binary,
        });
        if (!indexes)
        {
            return database;
        }
        var requests = database.GetCollection("requests");
        requests.EnsureIndex("state", "$.state");
        requests.EnsureIndex("number", "$.number", unique: true);
        database.Checkpoint();
        return database;
    }

    internal static double InsertOneByOne(LiteDatabase database, ref long nextNumber, int count)
    {
        var requests = database.GetCollection("requests");
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            database.BeginTrans();
            requests.Insert(Synthetic.RequestDocument(nextNumber++));
            database.Commit();
            database.Checkpoint();
        }
        return Repeated.PerSecond(count, started);
    }

    private static double InsertInBulk(LiteDatabase database, ref long nextNumber, int count)
    {
        var requests = database.GetCollection("requests");
        var first = nextNumber;
        nextNumber += count;
        var started = Stopwatch.GetTimestamp();
        database.BeginTrans();
        requests.Insert(Enumerable.Range(0, count).Select(i => Synthetic.RequestDocument(first + i)));
        database.Commit();
        database.Checkpoint();
        return Repeated.PerSecond(count, started);
    }
}

/// <summary>A store under measurement and how many submits it has taken, for submits per transaction.</summary>
internal sealed class OpenedStore(LiteDbRequestStore store)
{
    public LiteDbRequestStore Store { get; } = store;

    public long Submitted { get; set; }
}
