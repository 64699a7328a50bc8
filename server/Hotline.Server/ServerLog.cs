namespace Hotline.Server;

/// <summary>
/// Every log line the server writes, source-generated. Arguments are ids, numbers, revisions,
/// reasons and counts: never message text, contact handles, notes or regions.
/// </summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "Hotline listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(2, LogLevel.Information, "Data directory {DataDirectory}, store {Store} at revision {Revision}")]
    public static partial void StoreOpened(ILogger logger, string dataDirectory, string store, long revision);

    [LoggerMessage(3, LogLevel.Information, "Request {RequestId} number {Number} submitted by {Submitter} (duplicate: {Duplicate})")]
    public static partial void Submitted(ILogger logger, string requestId, long number, string submitter, bool duplicate);

    [LoggerMessage(4, LogLevel.Information, "Request {RequestId} {Change} by {Operator} at revision {Revision}")]
    public static partial void Changed(ILogger logger, string requestId, string change, string @operator, long revision);

    // Only RefusalLog writes these two: refusals come at a rate callers choose, so they are capped there.
    [LoggerMessage(5, LogLevel.Information, "Call {Method} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string reason);

    [LoggerMessage(38, LogLevel.Information, "Call {Method} refused {Count} more times ({Reason}) in the last {Seconds} s; not logged one by one")]
    public static partial void RefusalsNotLogged(ILogger logger, string method, int count, string reason, int seconds);

    [LoggerMessage(6, LogLevel.Error, "{Activity} failed unexpectedly with {ExceptionType}; {Outcome}{StackTrace}")]
    private static partial void Unexpected(ILogger logger, string activity, string exceptionType, string outcome, string stackTrace);

    /// <summary>
    /// The one way a failure nobody expected is logged, wherever it is caught: type and stack
    /// (see <see cref="FailureDescription"/>), never the exception's message.
    /// </summary>
    /// <param name="activity">What failed, e.g. "Call /hotline.v1.RequestService/GetRequest" or "Retention run".</param>
    /// <param name="outcome">What happens now, e.g. "it runs again at the next interval."</param>
    public static void UnexpectedFailure(ILogger logger, string activity, string outcome, Exception exception) =>
        Unexpected(logger, activity, FailureDescription.TypeOf(exception), outcome, FailureDescription.StackOf(exception));

    [LoggerMessage(7, LogLevel.Information, "Watcher {WatchId} for {Operator} started (start revision {StartRevision})")]
    public static partial void WatchStarted(ILogger logger, long watchId, string @operator, long startRevision);

    [LoggerMessage(8, LogLevel.Information, "Watcher {WatchId} ended at revision {Revision}: {Outcome}")]
    public static partial void WatchEnded(ILogger logger, long watchId, long revision, string outcome);

    [LoggerMessage(34, LogLevel.Information, "Watcher {WatchId} sent a snapshot of {Requests} requests in {Pages} pages at revision {Revision} in {Milliseconds} ms")]
    public static partial void WatchSnapshotSent(ILogger logger, long watchId, int requests, int pages, long revision, long milliseconds);

    [LoggerMessage(9, LogLevel.Warning, "Watcher {WatchId} fell {Buffered} changes behind and was cut off at revision {Revision}")]
    public static partial void WatchTooSlow(ILogger logger, long watchId, int buffered, long revision);

    [LoggerMessage(30, LogLevel.Warning, "Watcher {WatchId} took no data for {Seconds} s and was cut off at revision {Revision} (stream reset)")]
    public static partial void WatchStalled(ILogger logger, long watchId, long seconds, long revision);

    [LoggerMessage(31, LogLevel.Error, "Watcher {WatchId}: a write was still pending {Seconds} s after its stream was reset; it was left to finish on its own")]
    public static partial void WatchWriteNotReleased(ILogger logger, long watchId, long seconds);

    // Exception messages are left out: a library's message may quote input. Type and stack say where.
    [LoggerMessage(32, LogLevel.Critical, "Unhandled exception {ExceptionType} on a background thread; the process ends. {StackTrace}")]
    private static partial void UnhandledException(ILogger logger, string exceptionType, string stackTrace);

    /// <summary>An exception nobody caught, as <see cref="UnexpectedFailure"/> describes one.</summary>
    public static void UnhandledException(ILogger logger, Exception? exception) =>
        UnhandledException(logger, FailureDescription.TypeOf(exception), FailureDescription.StackOf(exception));

    [LoggerMessage(33, LogLevel.Error, "Unobserved task exception {ExceptionType}; the process carries on. {StackTrace}")]
    private static partial void UnobservedTaskException(ILogger logger, string exceptionType, string stackTrace);

    /// <summary>A faulted task nobody awaited, as <see cref="UnexpectedFailure"/> describes one.</summary>
    public static void UnobservedTaskException(ILogger logger, Exception exception) =>
        UnobservedTaskException(logger, FailureDescription.TypeOf(exception), FailureDescription.StackOf(exception));

    [LoggerMessage(10, LogLevel.Critical, "{Message}")]
    public static partial void StartupRefused(ILogger logger, string message);

    [LoggerMessage(12, LogLevel.Warning, "Authentication failed from {Source} calling {Method}: {Problem}")]
    public static partial void AuthenticationFailed(ILogger logger, string source, string method, string problem);

    [LoggerMessage(13, LogLevel.Warning, "Too many failed authentications from {Source}: refusing every call from it for the rest of the window")]
    public static partial void SourceRateLimited(ILogger logger, string source);

    [LoggerMessage(14, LogLevel.Warning, "Operator {Operator} ended their session from {Source}: token revoked, {Ended} watch streams ended")]
    public static partial void SessionEndedByOperator(ILogger logger, string @operator, string source, int ended);

    [LoggerMessage(15, LogLevel.Information, "Admin: {Action} operators/{Operator}; {Ended} watch streams ended")]
    public static partial void OperatorChanged(ILogger logger, string action, string @operator, int ended);

    [LoggerMessage(16, LogLevel.Warning, "Admin: lockdown; {Ended} watch streams ended, keys dropped from memory")]
    public static partial void LockedDown(ILogger logger, int ended);

    [LoggerMessage(17, LogLevel.Warning, "Admin: unlocked with the master key")]
    public static partial void Unlocked(ILogger logger);

    [LoggerMessage(18, LogLevel.Warning, "No admin exists yet. Create the first one with: {Command}")]
    public static partial void NoAdminYet(ILogger logger, string command);

    [LoggerMessage(19, LogLevel.Information, "Admin socket {Path} (owner-only); AdminService is served there and nowhere else")]
    public static partial void AdminSocket(ILogger logger, string path);

    [LoggerMessage(20, LogLevel.Information, "Removed a stale admin socket left by a server that did not shut down: {Path}")]
    public static partial void StaleAdminSocketRemoved(ILogger logger, string path);

    [LoggerMessage(21, LogLevel.Warning, "The installation is locked down: no request content is served or stored until an admin unlocks it with the master key.")]
    public static partial void StartedLocked(ILogger logger);

    [LoggerMessage(22, LogLevel.Information, "Retention on: closed requests are purged {Days} days after closing.")]
    public static partial void RetentionOn(ILogger logger, double days);

    [LoggerMessage(23, LogLevel.Information, "Retention purged {Count} closed requests.")]
    public static partial void RetentionPurged(ILogger logger, int count);

    [LoggerMessage(24, LogLevel.Warning, "Retention run skipped: {Reason}; it runs again at the next interval.")]
    public static partial void RetentionSkipped(ILogger logger, string reason);

    [LoggerMessage(26, LogLevel.Warning, "Admin: purged {Count} named requests ({RequestIds}); {NotFound} names matched none")]
    public static partial void AdminPurged(ILogger logger, int count, string requestIds, int notFound);

    [LoggerMessage(27, LogLevel.Warning, "Admin: purged {Count} requests closed before {ClosedBefore:u}")]
    public static partial void AdminPurgedClosed(ILogger logger, int count, DateTimeOffset closedBefore);

    [LoggerMessage(28, LogLevel.Information, "Admin: audit chain intact, {Records} records")]
    public static partial void AuditIntact(ILogger logger, long records);

    [LoggerMessage(29, LogLevel.Critical, "Admin: audit chain broken at record {Position} ({Problem}): {Detail}")]
    public static partial void AuditBroken(ILogger logger, long position, string problem, string detail);

    [LoggerMessage(35, LogLevel.Information, "Process hardened: not dumpable {NotDumpable}, no core files {NoCoreFiles}")]
    public static partial void Hardened(ILogger logger, bool notDumpable, bool noCoreFiles);

    [LoggerMessage(36, LogLevel.Warning, "Process hardening incomplete: {Problem}")]
    public static partial void HardeningIncomplete(ILogger logger, string problem);

    [LoggerMessage(37, LogLevel.Warning, "Lockdown persisted: the process exits (code {ExitCode}) so that nothing it read stays in its memory; its supervisor starts it again, locked, until an admin unlocks it.")]
    public static partial void ExitingAfterLockdown(ILogger logger, int exitCode);

    [LoggerMessage(60, LogLevel.Information, "Watcher {WatchId} ended without its end in the audit trail (stream record {Stream}: {Reason}); the trail takes it to have run to its last record's lease.")]
    public static partial void WatchEndNotRecorded(ILogger logger, long watchId, long stream, string reason);

    [LoggerMessage(80, LogLevel.Information, "Escalation pass watching {Count} open requests with a crossing or a follow-up to come.")]
    public static partial void EscalationWatching(ILogger logger, int count);

    [LoggerMessage(81, LogLevel.Warning, "Escalation pass could not record ({Reason}); it tries again shortly.")]
    public static partial void EscalationDeferred(ILogger logger, string reason);

    [LoggerMessage(90, LogLevel.Warning, "Backup key of {Epoch} destroyed: it is past retention plus one epoch, and every backup of it is unreadable from now on. Replace the offline copies of the backup key file.")]
    public static partial void BackupKeyDestroyed(ILogger logger, string epoch);

    [LoggerMessage(91, LogLevel.Information, "Backup taken at revision {Revision} (audit record {AuditSequence}), {Bytes} bytes before sealing, sealed under {Epoch}; new key: {KeyCreated}.")]
    public static partial void BackupTaken(ILogger logger, long revision, long auditSequence, long bytes, string epoch, bool keyCreated);

    [LoggerMessage(70, LogLevel.Warning, "Another server locked the installation down: {Ended} watch streams ended, keys dropped from memory")]
    public static partial void LockedDownElsewhere(ILogger logger, int ended);

    [LoggerMessage(71, LogLevel.Information, "Took {Taken} accounts another server changed (security version {Version}); {Ended} watch streams ended")]
    public static partial void AccountsTakenFromElsewhere(ILogger logger, int taken, long version, int ended);

    [LoggerMessage(72, LogLevel.Warning, "Could not read the shared security state ({Failure}); trying again at the next wake-up")]
    public static partial void SecurityStateUnreadable(ILogger logger, string failure);

    [LoggerMessage(73, LogLevel.Warning, "The shared rate limits did not answer ({Failure}): failed sign-ins are refused and intake is limited by this server alone until they do (logged at most every {Seconds} s)")]
    public static partial void SharedLimitsUnavailable(ILogger logger, string failure, int seconds);

    [LoggerMessage(74, LogLevel.Information, "Security state shared through the database: accounts, lockdown and rate limits follow every server (re-read at least every {Milliseconds} ms)")]
    public static partial void FollowingSharedSecurity(ILogger logger, int milliseconds);
}
