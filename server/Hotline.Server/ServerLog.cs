namespace Hotline.Server;

/// <summary>
/// Every log line the server writes, source-generated. Arguments are ids, numbers, revisions,
/// reasons and counts: never message text, contact handles, notes or regions.
/// </summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "Hotline listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(2, LogLevel.Information, "Data directory {DataDirectory}, store at revision {Revision}")]
    public static partial void StoreOpened(ILogger logger, string dataDirectory, long revision);

    [LoggerMessage(3, LogLevel.Information, "Request {RequestId} number {Number} submitted by {Submitter} (duplicate: {Duplicate})")]
    public static partial void Submitted(ILogger logger, string requestId, long number, string submitter, bool duplicate);

    [LoggerMessage(4, LogLevel.Information, "Request {RequestId} {Change} by {Operator} at revision {Revision}")]
    public static partial void Changed(ILogger logger, string requestId, string change, string @operator, long revision);

    [LoggerMessage(5, LogLevel.Information, "Call {Method} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string reason);

    [LoggerMessage(6, LogLevel.Error, "Call {Method} failed unexpectedly with {ExceptionType}")]
    public static partial void UnexpectedFailure(ILogger logger, string method, string exceptionType);

    [LoggerMessage(7, LogLevel.Information, "Watcher {WatchId} for {Operator} started (start revision {StartRevision})")]
    public static partial void WatchStarted(ILogger logger, long watchId, string @operator, long startRevision);

    [LoggerMessage(8, LogLevel.Information, "Watcher {WatchId} ended at revision {Revision}: {Outcome}")]
    public static partial void WatchEnded(ILogger logger, long watchId, long revision, string outcome);

    [LoggerMessage(9, LogLevel.Warning, "Watcher {WatchId} fell {Buffered} changes behind and was cut off at revision {Revision}")]
    public static partial void WatchTooSlow(ILogger logger, long watchId, int buffered, long revision);

    [LoggerMessage(10, LogLevel.Critical, "{Message}")]
    public static partial void StartupRefused(ILogger logger, string message);

    [LoggerMessage(11, LogLevel.Warning, "Development identity is on: callers choose who they are with the x-hotline-operator header. Never expose this server beyond this machine.")]
    public static partial void DevelopmentIdentity(ILogger logger);

    [LoggerMessage(12, LogLevel.Warning, "The installation is locked down: no request content is served or stored until an admin unlocks it with the master key.")]
    public static partial void StartedLocked(ILogger logger);

    [LoggerMessage(13, LogLevel.Information, "Retention on: closed requests are purged {Days} days after closing.")]
    public static partial void RetentionOn(ILogger logger, double days);

    [LoggerMessage(14, LogLevel.Information, "Retention purged {Count} closed requests.")]
    public static partial void RetentionPurged(ILogger logger, int count);

    [LoggerMessage(15, LogLevel.Warning, "Retention run skipped: {Reason}; it runs again at the next interval.")]
    public static partial void RetentionSkipped(ILogger logger, string reason);

    [LoggerMessage(16, LogLevel.Error, "Retention run failed with {ExceptionType}; it runs again at the next interval.")]
    public static partial void RetentionFailed(ILogger logger, string exceptionType);

    [LoggerMessage(17, LogLevel.Warning, "Watcher {WatchId} ended by lockdown at revision {Revision}")]
    public static partial void WatchLockedDown(ILogger logger, long watchId, long revision);
}
