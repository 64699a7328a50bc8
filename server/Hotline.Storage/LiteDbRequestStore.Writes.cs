using Hotline.Domain;

namespace Hotline.Storage;

// The store's writes: submissions, commands on requests, purges and compaction, each queued to the one writer.
public sealed partial class LiteDbRequestStore
{
    public async Task<IntakeReceipt> SubmitAsync(NewHelpRequest submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        cancellationToken.ThrowIfCancellationRequested();
        return await EnqueueAsync(new SubmitWrite(submission, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<HelpRequest> ExecuteAsync(string requestId, RequestCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentNullException.ThrowIfNull(command);
        if (!RequestIds.IsWellFormed(requestId))
        {
            DomainException.ThrowRequestNotFound(requestId);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return await EnqueueAsync(new CommandWrite(requestId, command, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops changes older than the newest <see cref="RequestStoreOptions.ChangeLogRetention"/> from
    /// the change log, on the writer. The writer also does this by itself every
    /// <see cref="RequestStoreOptions.CompactionInterval"/> revisions.
    /// </summary>
    /// <returns>How many changes were dropped.</returns>
    public async Task<int> CompactAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await EnqueueAsync(new PendingCompaction(cancellationToken)).ConfigureAwait(false);
    }

    public async Task<bool> PurgeAsync(string requestId, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        if (!RequestIds.IsWellFormed(requestId))
        {
            return false;
        }
        cancellationToken.ThrowIfCancellationRequested();
        return await EnqueueAsync(PendingPurge.One(requestId, actor, cancellationToken)).ConfigureAwait(false) > 0;
    }

    /// <summary>Purges in rounds of <see cref="RetentionRoundSize"/>, each its own turn on the writer.</summary>
    public async Task<int> PurgeClosedBeforeAsync(DateTimeOffset closedBefore, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        var total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var purged = await EnqueueAsync(PendingPurge.ClosedBefore(closedBefore, actor, RetentionRoundSize, cancellationToken)).ConfigureAwait(false);
            total += purged;
            if (purged < RetentionRoundSize)
            {
                return total;
            }
        }
    }
}
