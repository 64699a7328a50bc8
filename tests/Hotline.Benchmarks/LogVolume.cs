using Hotline.Storage;
using LiteDB;

namespace Hotline.Benchmarks;

/// <summary>
/// What LiteDB appends to its log for a transaction: whole 8 KiB pages, one for every page the
/// transaction changed (each collection's header and data page, each index's node pages, the
/// database header). A count, not a time, so it is the same on a busy machine as on a quiet one,
/// and it is what a commit writes, a flush makes durable and a fold copies into the data file.
/// </summary>
internal static class LogVolume
{
    public const int PageSize = 8192;

    /// <summary>How many transactions a count runs at one submit each: enough to average LiteDB's page splits out.</summary>
    public static int Transactions(RunSize size) => Math.Max(5, size.SingleSubmits / 4);

    /// <summary>
    /// Runs <paramref name="transaction"/> <paramref name="count"/> times with no checkpoint between,
    /// and returns the log's growth per run in pages. The database must not checkpoint by itself
    /// (<c>Pragma("CHECKPOINT", 0)</c>); it is checkpointed before and after, so the log starts and
    /// ends empty.
    /// </summary>
    public static double PagesPerTransaction(LiteDatabase database, string dataFile, int count, Action transaction)
    {
        database.Checkpoint();
        var log = LiteDbLogFile.Beside(dataFile);
        var before = log.Length;
        for (var i = 0; i < count; i++)
        {
            transaction();
        }
        var grown = log.Length - before;
        database.Checkpoint();
        return grown / (double)PageSize / count;
    }

    public static string Pages(double pages) => Report.Invariant($"{pages:0.0}");
}
