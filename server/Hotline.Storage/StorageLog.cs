using Microsoft.Extensions.Logging;

namespace Hotline.Storage;

/// <summary>
/// Every log line the LiteDB store writes besides its writer's (<see cref="WriterLog"/>). They carry ids, numbers, revisions, counts and durations,
/// never the content of a request: a log file is easier to leak than the database.
/// </summary>
internal static partial class StorageLog
{
    [LoggerMessage(1, LogLevel.Information, "Request store opened at {Location}: revision {Revision}, next number {NextNumber}, change log compacted through {CompactedThrough}.")]
    public static partial void Opened(this ILogger logger, string location, long revision, long nextNumber, long compactedThrough);

    [LoggerMessage(2, LogLevel.Warning, "Data directory {Directory} was readable by other users; restricted it to its owner.")]
    public static partial void DirectoryTightened(this ILogger logger, string directory);

    [LoggerMessage(3, LogLevel.Error, "Refused data directory {Directory}: another server holds its lock file.")]
    public static partial void DirectoryInUse(this ILogger logger, string directory);

    [LoggerMessage(23, LogLevel.Critical, "Closing the store: {Busy} was still busy after {Seconds} s; the database is left open for the process's exit and its log is replayed at the next start.")]
    public static partial void StopTimedOut(this ILogger logger, double seconds, string busy);

    [LoggerMessage(17, LogLevel.Critical, "The store's database was left open after a disk failure, to keep LiteDB from crashing the process; restart the server.")]
    public static partial void KeptBrokenDatabase(this ILogger logger);

    [LoggerMessage(19, LogLevel.Warning, "The store opened locked down: no request content is read or written until an admin unlocks it with the master key.")]
    public static partial void OpenedLocked(this ILogger logger);

    [LoggerMessage(20, LogLevel.Information, "New data directory: sealed a key-check value under the master key.")]
    public static partial void KeyCheckCreated(this ILogger logger);

    [LoggerMessage(21, LogLevel.Warning, "Finishing {Count} purges a stop interrupted (their data keys were already destroyed).")]
    public static partial void FinishingPurges(this ILogger logger, int count);

    [LoggerMessage(22, LogLevel.Error, "Finishing interrupted purges failed; they are retried at the next start.")]
    public static partial void FinishingPurgesFailed(this ILogger logger, Exception exception);
}
