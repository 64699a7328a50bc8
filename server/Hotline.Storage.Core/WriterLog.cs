using Microsoft.Extensions.Logging;

namespace Hotline.Storage;

/// <summary>
/// Every log line the store writer writes, whatever the store. Like every store log line they carry
/// ids, numbers, revisions, counts and durations, never the content of a request: a log file is
/// easier to leak than the database. Event ids are shared with each store's own log class, which
/// leaves these free.
/// </summary>
internal static partial class WriterLog
{
    [LoggerMessage(4, LogLevel.Debug, "Committed a batch of {Commands} commands: {Changes} changes, revision {Revision}, in {ElapsedMs:F2} ms.")]
    public static partial void BatchCommitted(this ILogger logger, int commands, int changes, long revision, double elapsedMs);

    [LoggerMessage(5, LogLevel.Error, "A batch of {Commands} commands failed to commit and was rolled back; every command in it failed.")]
    public static partial void CommitFailed(this ILogger logger, Exception exception, int commands);

    [LoggerMessage(6, LogLevel.Error, "Flushing or checkpointing after revision {Revision} failed: the changes are committed but may not be on disk.")]
    public static partial void FlushFailed(this ILogger logger, Exception exception, long revision);

    [LoggerMessage(7, LogLevel.Error, "A change listener failed on revisions {FirstRevision} to {LastRevision}.")]
    public static partial void ListenerFailed(this ILogger logger, Exception exception, long firstRevision, long lastRevision);

    [LoggerMessage(8, LogLevel.Information, "Compacted the change log through revision {CompactedThrough}: {Dropped} changes dropped in {ElapsedMs:F2} ms.")]
    public static partial void Compacted(this ILogger logger, long compactedThrough, int dropped, double elapsedMs);

    [LoggerMessage(9, LogLevel.Error, "Compacting the change log failed; it will be tried again later.")]
    public static partial void CompactionFailed(this ILogger logger, Exception exception);

    [LoggerMessage(10, LogLevel.Critical, "After a failed commit the database holds revision {DurableRevision}, not {ExpectedRevision}: a commit reported as failed was kept.")]
    public static partial void CountersMovedOnFailure(this ILogger logger, long durableRevision, long expectedRevision);

    [LoggerMessage(11, LogLevel.Critical, "Could not re-read the store counters after a failed commit.")]
    public static partial void CountersReloadFailed(this ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Critical, "The store writer hit an unexpected error; the {Commands} commands it was running failed.")]
    public static partial void WriterFailed(this ILogger logger, Exception exception, int commands);

    [LoggerMessage(13, LogLevel.Information, "Request store shutting down: finishing {Queued} queued writes.")]
    public static partial void ShuttingDown(this ILogger logger, int queued);

    [LoggerMessage(14, LogLevel.Information, "Request store closed at revision {Revision}.")]
    public static partial void Closed(this ILogger logger, long revision);

    [LoggerMessage(15, LogLevel.Error, "The final checkpoint at shutdown failed.")]
    public static partial void FinalCheckpointFailed(this ILogger logger, Exception exception);

    [LoggerMessage(18, LogLevel.Information, "Purged {Count} requests: data keys destroyed, then the requests removed, at revision {Revision}, in {ElapsedMs:F2} ms.")]
    public static partial void Purged(this ILogger logger, int count, long revision, double elapsedMs);

    [LoggerMessage(16, LogLevel.Critical, "Rolling back a failed transaction failed; the store refuses writes until the server is restarted.")]
    public static partial void RollbackFailed(this ILogger logger, Exception exception);

    [LoggerMessage(24, LogLevel.Error, "The disk refused a write (full or failing): writes are refused with UNAVAILABLE STORAGE_FAILED, and one is tried again every {Seconds} s until the disk takes it; reads that need no write go on.")]
    public static partial void DiskRefused(this ILogger logger, Exception exception, double seconds);

    [LoggerMessage(25, LogLevel.Warning, "The disk takes writes again after refusing them for {Seconds:F1} s; STORAGE_FAILED is over, at revision {Revision}.")]
    public static partial void DiskRecovered(this ILogger logger, double seconds, long revision);
}
