using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>
/// Everything a store asks of its writer, for every store: the writes of <see cref="IRequestStore"/>
/// and <see cref="IOperatorStore"/>, and the audit records of reads and watch streams, each queued
/// as its <see cref="PendingWrite"/> and awaited until it is durable. A store class owns one and
/// adds its reads.
/// </summary>
internal sealed class StoreWrites(StoreWriter writer, StoreKeyVault vault)
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

    public async Task<OperatorRecord> ExecuteAsync(OperatorCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        cancellationToken.ThrowIfCancellationRequested();
        return await EnqueueAsync(new OperatorWrite(command, cancellationToken)).ConfigureAwait(false);
    }

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

    /// <summary>Purges in rounds of <paramref name="roundSize"/>, each its own turn on the writer.</summary>
    public async Task<int> PurgeClosedBeforeAsync(DateTimeOffset closedBefore, string actor, int roundSize, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        var total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var purged = await EnqueueAsync(PendingPurge.ClosedBefore(closedBefore, actor, roundSize, cancellationToken)).ConfigureAwait(false);
            total += purged;
            if (purged < roundSize)
            {
                return total;
            }
        }
    }

    /// <summary>The audit record of a read of sealed fields; the read is served only once it is durable.</summary>
    public async Task AuditReadAsync(string reader, AuditAction action, IReadOnlyList<string> requestIds, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnqueueAsync(new AuditedReadWrite(reader, action, requestIds, cancellationToken)).ConfigureAwait(false);
    }

    public Task<WatchLease> RecordWatchStartAsync(string reader, IWorkingSetSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reader);
        ArgumentNullException.ThrowIfNull(snapshot);
        var window = snapshot.ClosedUntil - snapshot.ClosedSince;
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        var opening = new WatchMark(0, snapshot.Revision, snapshot.Revision, snapshot.ClosedSince, Ended: false);
        return RecordWatchAsync(reader, AuditAction.Watched, opening, window, cancellationToken);
    }

    public Task<WatchLease> RecordWatchStartAsync(string reader, long fromRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        var opening = new WatchMark(0, fromRevision, fromRevision, SnapshotClosedSince: null, Ended: false);
        return RecordWatchAsync(reader, AuditAction.Watched, opening, window: null, cancellationToken);
    }

    public Task<WatchLease> RecordWatchProgressAsync(WatchLease lease, long through, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var progress = new WatchMark(lease.Stream, lease.FromRevision, Math.Max(through, lease.FromRevision), SnapshotClosedSince: null, Ended: false);
        return RecordWatchAsync(lease.Viewer, AuditAction.WatchProgressed, progress, window: null, cancellationToken);
    }

    public Task RecordWatchEndAsync(WatchLease lease, long through, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var end = new WatchMark(lease.Stream, lease.FromRevision, Math.Max(through, lease.FromRevision), SnapshotClosedSince: null, Ended: true);
        return RecordWatchAsync(lease.Viewer, AuditAction.WatchEnded, end, window: null, cancellationToken);
    }

    /// <summary>Queues <paramref name="write"/> and waits until it is durable (or refused).</summary>
    public async Task<TResult> EnqueueAsync<TResult>(PendingWrite<TResult> write)
    {
        try
        {
            writer.Enqueue(write);
        }
        catch
        {
            write.Withdraw();
            throw;
        }
        return await write.Task.ConfigureAwait(false);
    }

    /// <summary>A watch stream's record, refused while locked as the read it stands for.</summary>
    private async Task<WatchLease> RecordWatchAsync(string viewer, AuditAction action, WatchMark mark, TimeSpan? window,
        CancellationToken cancellationToken)
    {
        if (vault.IsLocked)
        {
            throw DomainException.LockedDown(write: false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return await EnqueueAsync(new WatchRecordWrite(viewer, action, mark, window, cancellationToken)).ConfigureAwait(false);
    }
}
