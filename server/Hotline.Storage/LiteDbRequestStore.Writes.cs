using Hotline.Domain;

namespace Hotline.Storage;

// The store's writes: submissions, commands on requests, purges and compaction, each queued to the one writer (see StoreWrites).
public sealed partial class LiteDbRequestStore
{
    public Task<IntakeReceipt> SubmitAsync(NewHelpRequest submission, CancellationToken cancellationToken) =>
        _writes.SubmitAsync(submission, cancellationToken);

    public Task<HelpRequest> ExecuteAsync(string requestId, RequestCommand command, CancellationToken cancellationToken) =>
        _writes.ExecuteAsync(requestId, command, cancellationToken);

    /// <summary>
    /// Drops changes older than the newest <see cref="RequestStoreOptions.ChangeLogRetention"/> from
    /// the change log, on the writer. The writer also does this by itself every
    /// <see cref="RequestStoreOptions.CompactionInterval"/> revisions.
    /// </summary>
    /// <returns>How many changes were dropped.</returns>
    public Task<int> CompactAsync(CancellationToken cancellationToken) => _writes.CompactAsync(cancellationToken);

    public Task<bool> PurgeAsync(string requestId, string actor, CancellationToken cancellationToken) =>
        _writes.PurgeAsync(requestId, actor, cancellationToken);

    /// <summary>Purges in rounds of <see cref="RetentionRoundSize"/>, each its own turn on the writer.</summary>
    public Task<int> PurgeClosedBeforeAsync(DateTimeOffset closedBefore, string actor, CancellationToken cancellationToken) =>
        _writes.PurgeClosedBeforeAsync(closedBefore, actor, RetentionRoundSize, cancellationToken);
}
