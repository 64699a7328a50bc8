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
            await MeasureLogVolumeAsync(size, scratch, perInsertDb, schemaPeer, nextNumber);
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
    /// What each writer appends to LiteDB's log per submit (<see cref="LogVolume"/>): the bytes a
    /// commit writes, a flush makes durable and a fold copies again. A small store's indexes share
    /// their few pages and make a submit look cheaper than it is, so the store is filled first, with
    /// <see cref="RunSize.StoredForMemory"/> requests and then five times as many, and counted at
    /// each size, opened with folding off so that its log only grows while it is counted.
    /// </summary>
    private static async Task MeasureLogVolumeAsync(RunSize size, ScratchDirectory scratch, LiteDatabase perInsertDb, SchemaPeer schemaPeer, long nextNumber)
    {
        var transactions = LogVolume.Transactions(size);
        var perInsert = LogPagesPerInsert(perInsertDb, scratch.Sub("per-insert"), ref nextNumber, transactions);
        Report.Columns("log pages per submit", "vs per-insert".PadRight(39) + "submits per transaction   (counted, not timed; a page is 8 KiB)");
        Report.Row("raw LiteDB, transaction per insert", LogVolume.Pages(perInsert), Row(1, double.NaN, 1));
        var directory = scratch.Sub("log-volume");
        var stored = 0L;
        Dictionary<int, double>? first = null;
        foreach (var target in new[] { size.StoredForMemory, 5 * size.StoredForMemory })
        {
            var filling = OpenStore(directory);
            using (filling.Store)
            {
                await SubmitAsync(filling, 64, (int)Math.Max(0, target - stored));
            }
            var opened = OpenStore(directory, new RequestStoreOptions { CheckpointLogBytes = long.MaxValue });
            using (opened.Store)
            {
                var log = LiteDbLogFile.Beside(Path.Combine(directory, DataDirectory.DatabaseFileName));
                var pagesAt = new Dictionary<int, double>();
                foreach (var n in Submitters)
                {
                    var count = n == 1 ? transactions : size.ConcurrentSubmits;
                    await SubmitAsync(opened, n, Math.Max(n, count / 5));
                    var (bytesBefore, batchesBefore) = (log.Length, opened.Store.BatchCount);
                    await SubmitAsync(opened, n, count);
                    pagesAt[n] = (log.Length - bytesBefore) / (double)LogVolume.PageSize / count;
                    var growth = first is null ? "" : Report.Invariant($"   ({pagesAt[n] / first[n]:0.00}x at {size.StoredForMemory:N0})");
                    Report.Row(Report.Invariant($"store holding {target:N0}, {n} submitter{(n == 1 ? "" : "s")}"), LogVolume.Pages(pagesAt[n]),
                        Row(pagesAt[n] / perInsert, double.NaN, (double)count / (opened.Store.BatchCount - batchesBefore)) + growth);
                }
                first ??= pagesAt;
                stored = target + opened.Submitted;
            }
        }
        var (schemaOne, schemaGrouped) = schemaPeer.LogPagesPerSubmit(transactions);
        Report.Row("raw LiteDB, a submit's documents, 1 per tx", LogVolume.Pages(schemaOne), Row(schemaOne / perInsert, double.NaN, 1));
        Report.Row(Report.Invariant($"raw LiteDB, a submit's documents, {SchemaGroup} per tx"), LogVolume.Pages(schemaGrouped),
            Row(schemaGrouped / perInsert, double.NaN, SchemaGroup));
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
        Report.Ratio(vsPerInsert).PadRight(19) + (double.IsNaN(vsBulk) ? "" : Report.Ratio(vsBulk)).PadRight(20) +
        (double.IsNaN(perTransaction) ? "all" : Report.Invariant($"{perTransaction:0.0}"));

    internal static OpenedStore OpenStore(string directory, RequestStoreOptions? options = null) =>
        new(LiteDbRequestStore.Open(directory, options ?? new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance, NullLogger.Instance,
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

    internal static string RawDataFile(string directory) => Path.Combine(directory, "raw.db");

    internal static LiteDatabase RawDatabase(string directory, bool indexes = true)
    {
        Directory.CreateDirectory(directory);
        var database = new LiteDatabase(new ConnectionString
        {
            Filename = RawDataFile(directory),
            Connection = ConnectionType.Direct,
            AutoRebuild = false,
            Collation = Collation.Binary,
        });
        // Every peer checkpoints when it means to, as the store does: LiteDB's own checkpoint after
        // 1,000 log pages would otherwise fold in the middle of a log being counted (LogVolume).
        database.Pragma("CHECKPOINT", 0);
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

    /// <summary>Log pages one per-insert peer transaction appends (<see cref="LogVolume"/>).</summary>
    internal static double LogPagesPerInsert(LiteDatabase database, string directory, ref long nextNumber, int count)
    {
        var requests = database.GetCollection("requests");
        var number = nextNumber;
        var pages = LogVolume.PagesPerTransaction(database, RawDataFile(directory), count, () =>
        {
            database.BeginTrans();
            requests.Insert(Synthetic.RequestDocument(number++));
            database.Commit();
        });
        nextNumber = number;
        return pages;
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
