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

    /// <summary>LiteDB's log beside a data file: "raw.db" logs to "raw-log.db".</summary>
    public static string LogOf(string dataFile) =>
        Path.Combine(Path.GetDirectoryName(dataFile)!, Path.GetFileNameWithoutExtension(dataFile) + "-log" + Path.GetExtension(dataFile));

    /// <summary>
    /// Runs <paramref name="transaction"/> <paramref name="count"/> times with no checkpoint between,
    /// and returns the log's growth per run in pages. The database must not checkpoint by itself
    /// (<c>Pragma("CHECKPOINT", 0)</c>); it is checkpointed before and after, so the log starts and
    /// ends empty.
    /// </summary>
    public static double PagesPerTransaction(LiteDatabase database, string dataFile, int count, Action transaction)
    {
        database.Checkpoint();
        var log = LogOf(dataFile);
        var before = Length(log);
        for (var i = 0; i < count; i++)
        {
            transaction();
        }
        var grown = Length(log) - before;
        database.Checkpoint();
        return grown / (double)PageSize / count;
    }

    public static long Length(string file) => File.Exists(file) ? new FileInfo(file).Length : 0;

    public static string Pages(double pages) => Report.Invariant($"{pages:0.0}");
}
