using System.Diagnostics;
using Hotline.Domain;
using Microsoft.Extensions.Logging;

namespace Hotline.Storage;

/// <summary>
/// The one thread that changes the database, for every store. It takes everything waiting (up to
/// the batch limit) into one transaction, commits, flushes when the database needs it (LiteDB's
/// checkpoint), and only then tells the callers and the change listener. A dedicated thread rather
/// than an async loop because LiteDB binds a transaction to the OS thread that began it, and
/// because a single writer makes commit order equal revision order, which both the live feed and
/// LiteDB's crash recovery need. On PostgreSQL each server has one, and the head row that every
/// transaction locks first (see <see cref="IStoreEngine.Begin"/>) orders the servers' commits; one
/// transaction per batch is what makes that lock affordable.
/// </summary>
internal sealed class StoreWriter
{
    private readonly object _gate = new();
    private readonly Queue<PendingWrite> _queue = new();
    private readonly Thread _thread;
    private readonly IStoreEngine _engine;
    private readonly RequestStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly IChangeListener _listener;
    private readonly StoreKeyVault _vault;
    private readonly ILogger _logger;
    private bool _accepting = true;
    private volatile bool _failed;
    private volatile bool _diskRefused;
    private long _diskRefusedSince;
    private long _nextDiskAttempt;
    private StoreCounters _counters;
    private long _revisionAtLastCompaction;
    private long _committedRevision;
    private long _compactedThrough;
    private long _batchCount;

    public StoreWriter(IStoreEngine engine, StoreCounters counters, RequestStoreOptions options,
        TimeProvider timeProvider, IChangeListener listener, StoreKeyVault vault, ILogger logger)
    {
        _vault = vault;
        _engine = engine;
        _counters = counters;
        _committedRevision = counters.LastRevision;
        _compactedThrough = counters.CompactedThrough;
        _options = options;
        _timeProvider = timeProvider;
        _listener = listener;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "Hotline store writer" };
    }

    /// <summary>The newest revision committed and checkpointed. Safe from any thread.</summary>
    public long CommittedRevision => Interlocked.Read(ref _committedRevision);

    /// <summary>
    /// Changes at or below this revision may be gone from the change log: raised just before a
    /// compaction commits, so it is never lower than what a reader can find missing. Safe from any thread.
    /// </summary>
    public long CompactedThrough => Interlocked.Read(ref _compactedThrough);

    /// <summary>
    /// True once a failed transaction could not be rolled back. LiteDB then keeps it open on the
    /// writer thread, holding its locks, and every later rollback of it fails too; the only safe
    /// course is to refuse writes until a restart recovers from the log.
    /// </summary>
    public bool Failed => _failed;

    /// <summary>
    /// True from a write the disk refused (ENOSPC, EIO) and rolled back, until a commit succeeds
    /// again. Meanwhile writes are refused at once, except one every <see cref="DiskRetryInterval"/>
    /// that is let through to find out whether the disk takes writes again. Safe from any thread.
    /// </summary>
    public bool DiskRefused => _diskRefused;

    /// <summary>How often a write is let through to a disk that refused the last one.</summary>
    public static readonly TimeSpan DiskRetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>Transactions committed with at least one command in them; lets tests see group commit at work.</summary>
    public long BatchCount => Interlocked.Read(ref _batchCount);

    public void Start() => _thread.Start();

    /// <summary>
    /// Runs <paramref name="purge"/> on the calling thread, before <see cref="Start"/>: the opening
    /// thread is then the only writer, as the writer thread is afterwards, and nobody has to block
    /// on a write queued to a thread that is not running yet. The purge's outcome is in its task,
    /// already complete on return.
    /// </summary>
    public void PurgeBeforeStart(PendingPurge purge)
    {
        if ((_thread.ThreadState & System.Threading.ThreadState.Unstarted) == 0)
        {
            throw new InvalidOperationException("The writer thread has started; queue the purge instead.");
        }
        Purge(purge);
    }

    /// <summary>Queues a write, or throws UNAVAILABLE once shutdown has begun.</summary>
    public void Enqueue(PendingWrite write)
    {
        lock (_gate)
        {
            if (!_accepting)
            {
                throw StoreUnavailable.ShuttingDown();
            }
            if (_failed)
            {
                throw StoreUnavailable.StorageFailed();
            }
            if (_diskRefused)
            {
                // One write per interval goes through to try the disk; the others are refused without touching it.
                var now = Stopwatch.GetTimestamp();
                if (now < Interlocked.Read(ref _nextDiskAttempt))
                {
                    throw StoreUnavailable.DiskRefused();
                }
                Interlocked.Exchange(ref _nextDiskAttempt, now + (long)(DiskRetryInterval.TotalSeconds * Stopwatch.Frequency));
            }
            _queue.Enqueue(write);
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Refuses new writes, lets the writer finish every queued one, and waits for it to end.</summary>
    /// <returns>False when the writer was still busy after <paramref name="timeout"/> (a disk that stopped answering).</returns>
    public bool Stop(TimeSpan timeout)
    {
        if (Environment.CurrentManagedThreadId == _thread.ManagedThreadId)
        {
            throw new InvalidOperationException("The store cannot be disposed from its own writer thread (a change listener).");
        }
        lock (_gate)
        {
            if (_accepting)
            {
                _accepting = false;
                _logger.ShuttingDown(_queue.Count);
                Monitor.Pulse(_gate);
            }
        }
        return _thread.Join(timeout);
    }

    private void Run()
    {
        var batch = new List<IStagedWrite>(_options.MaxBatchSize);
        var compactions = new List<PendingCompaction>();
        var purges = new List<PendingPurge>();
        var snapshots = new List<IBetweenBatches>();
        while (TakeWaiting(batch, compactions, purges, snapshots))
        {
            if (_failed)
            {
                FailAll(batch, compactions, purges, StoreUnavailable.StorageFailed());
                FailSnapshots(snapshots, StoreUnavailable.StorageFailed());
                continue;
            }
            try
            {
                if (batch.Count > 0)
                {
                    CommitBatch(batch);
                }
                batch.Clear();
                while (purges.Count > 0 && !_failed)
                {
                    var purge = purges[0];
                    purges.RemoveAt(0);
                    Purge(purge);
                }
                if (_failed)
                {
                    FailAll(batch, compactions, purges, StoreUnavailable.StorageFailed());
                    continue;
                }
                if (compactions.Count > 0 || _counters.LastRevision - _revisionAtLastCompaction >= _options.CompactionInterval)
                {
                    Compact(compactions);
                }
                TakeSnapshots(snapshots);
            }
            catch (Exception ex)
            {
                // A bug here must not kill the only writer and leave every later caller waiting forever.
                _logger.WriterFailed(ex, batch.Count);
                FailAll(batch, compactions, purges, ex);
                FailSnapshots(snapshots, ex);
            }
            batch.Clear();
            compactions.Clear();
            purges.Clear();
            snapshots.Clear();
        }
        try
        {
            // A failed store still has its broken transaction open, and a checkpoint would wait for it forever.
            if (!_failed)
            {
                _engine.Checkpoint();
            }
        }
        catch (Exception ex)
        {
            _logger.FinalCheckpointFailed(ex);
        }
        _logger.Closed(_counters.LastRevision);
    }

    private static void FailAll(List<IStagedWrite> batch, List<PendingCompaction> compactions, List<PendingPurge> purges, Exception exception)
    {
        foreach (var write in batch)
        {
            write.Fail(exception);
        }
        foreach (var compaction in compactions)
        {
            compaction.Fail(exception);
        }
        foreach (var purge in purges)
        {
            purge.Fail(exception);
        }
        batch.Clear();
        compactions.Clear();
        purges.Clear();
    }

    /// <summary>Copies the database for each waiting snapshot, right after a checkpoint (the file alone then holds everything), with no transaction open.</summary>
    private void TakeSnapshots(List<IBetweenBatches> snapshots)
    {
        if (snapshots.Count == 0)
        {
            return;
        }
        if (Flush(checkpoint: true) is { } failure)
        {
            FailSnapshots(snapshots, failure);
            return;
        }
        foreach (var snapshot in snapshots)
        {
            snapshot.Run(_counters);
        }
        snapshots.Clear();
    }

    private static void FailSnapshots(List<IBetweenBatches> snapshots, Exception exception)
    {
        foreach (var snapshot in snapshots)
        {
            snapshot.Fail(exception);
        }
        snapshots.Clear();
    }

    /// <summary>Waits for work and takes what is queued; false once shutdown has begun and the queue is empty.</summary>
    private bool TakeWaiting(List<IStagedWrite> batch, List<PendingCompaction> compactions, List<PendingPurge> purges,
        List<IBetweenBatches> snapshots)
    {
        lock (_gate)
        {
            while (true)
            {
                while (_queue.Count == 0)
                {
                    if (!_accepting)
                    {
                        return false;
                    }
                    Monitor.Wait(_gate);
                }
                while (batch.Count < _options.MaxBatchSize && _queue.TryDequeue(out var write))
                {
                    if (!write.TryTake())
                    {
                        continue;
                    }
                    if (write is PendingCompaction compaction)
                    {
                        compactions.Add(compaction);
                    }
                    else if (write is PendingPurge purge)
                    {
                        purges.Add(purge);
                    }
                    else if (write is IBetweenBatches snapshot)
                    {
                        snapshots.Add(snapshot);
                    }
                    else
                    {
                        batch.Add((IStagedWrite)write);
                    }
                }
                if (batch.Count > 0 || compactions.Count > 0 || purges.Count > 0 || snapshots.Count > 0)
                {
                    return true;
                }
            }
        }
    }

    private void CommitBatch(List<IStagedWrite> writes)
    {
        var started = Stopwatch.GetTimestamp();
        using var keys = _vault.TryEnter();
        if (keys is null)
        {
            // Requests are sealed and every change to them is audited, neither possible without the
            // keys; operator accounts are neither, so revoking a token still works during a lockdown.
            foreach (var write in writes.Where(w => w.NeedsKeys))
            {
                write.Fail(DomainException.LockedDown(write: !write.IsRead));
            }
            writes = [.. writes.Where(w => !w.NeedsKeys)];
            if (writes.Count == 0)
            {
                return;
            }
        }
        using var batch = TryCommit(keys, _timeProvider.GetUtcNow(), b =>
            {
                foreach (var write in writes)
                {
                    write.Stage(b);
                }
            }, writes.Count, out var failure);
        if (batch is null)
        {
            foreach (var write in writes)
            {
                write.Fail(failure);
            }
            return;
        }
        // The keys are not needed past the commit; a lockdown waiting for them goes ahead now.
        keys?.Dispose();
        var notDurable = Settle(batch);
        foreach (var write in writes)
        {
            write.Report(notDurable);
        }
        Publish(batch.Changes);
        _logger.BatchCommitted(writes.Count, batch.Changes.Count, _counters.LastRevision,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        // After the callers have their answers: the batch is durable already, and nobody waits for this.
        if (notDurable is null && _engine.CheckpointDue)
        {
            Flush(checkpoint: true);
        }
    }

    /// <summary>
    /// Destroys the data keys first, in a transaction of its own that is checkpointed before anything
    /// else happens: from then on the requests are unreadable wherever copies of them lie, even if
    /// the process dies before the second transaction removes the rest. That second transaction
    /// deletes the requests, their change-log entries and intake keys, and logs a DELETED change each.
    /// </summary>
    private void Purge(PendingPurge purge)
    {
        var started = Stopwatch.GetTimestamp();
        IReadOnlyList<string> ids;
        try
        {
            ids = _engine.Read(purge.Select);
        }
        catch (Exception ex)
        {
            purge.Fail(ex);
            return;
        }
        if (ids.Count == 0)
        {
            purge.Complete(0);
            return;
        }
        var now = _timeProvider.GetUtcNow();
        Exception? notDurable = null;
        if (!purge.Interrupted)
        {
            using var keys = _vault.TryEnter();
            if (keys is null)
            {
                purge.Fail(DomainException.LockedDown(write: true));
                return;
            }
            using var destroy = TryCommit(keys, now, b =>
                {
                    // Selected outside this transaction: another server may have purged some since.
                    ids = [.. ids.Where(id => _engine.Rows.FindWrappedDataKey(id) is not null)];
                    if (ids.Count == 0)
                    {
                        return;
                    }
                    foreach (var id in ids)
                    {
                        b.DestroyDataKey(id);
                        b.AuditPurge(purge.Actor, id);
                    }
                    if (purge.IsRetention)
                    {
                        b.Audit(purge.Actor, AuditAction.RetentionRun, ids);
                    }
                    _engine.Rows.WritePurgesInProgress(ids, purge.Actor);
                }, ids.Count, out var failure);
            if (destroy is null)
            {
                purge.Fail(failure);
                return;
            }
            keys.Dispose();
            // A checkpoint, not only a flush: it copies the zero-filled key pages over the data file and empties the log.
            notDurable = Settle(destroy, checkpoint: true);
            if (ids.Count == 0)
            {
                purge.Complete(0);
                return;
            }
        }
        using var remove = TryCommit(keys: null, now, b =>
            {
                foreach (var id in ids)
                {
                    b.RemovePurged(id, purge.Actor);
                }
                _engine.Rows.ClearPurgesInProgress();
            }, ids.Count, out var removeFailure);
        if (remove is null)
        {
            // The keys are gone, so the requests are already unreadable; the next open finishes the removal.
            purge.Fail(removeFailure);
            return;
        }
        notDurable ??= Settle(remove);
        Publish(remove.Changes);
        _logger.Purged(ids.Count, _counters.LastRevision, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (notDurable is not null)
        {
            purge.Fail(notDurable);
        }
        else
        {
            purge.Complete(ids.Count);
        }
    }

    /// <summary>
    /// Begins a transaction, runs <paramref name="stage"/> in a batch built on the counters it
    /// begins with, and commits; on failure rolls back and says why.
    /// </summary>
    /// <returns>The committed batch, for the caller to settle and dispose; null on failure.</returns>
    private WriteBatch? TryCommit(KeyLease? keys, DateTimeOffset now, Action<WriteBatch> stage, int commands, out Exception failure)
    {
        WriteBatch? batch = null;
        try
        {
            batch = new WriteBatch(_engine.Rows, _engine.Begin(_counters), now, keys);
            stage(batch);
            batch.Finish();
            _engine.Commit();
            failure = null!;
            return batch;
        }
        catch (Exception ex)
        {
            batch?.Dispose();
            _logger.CommitFailed(ex, commands);
            // Settled before the callers hear of it, so they see WritesFailed as it now is.
            if (RollBack())
            {
                ReloadCounters();
                if (_engine.IsStorageRefusal(ex))
                {
                    NoteDiskRefused(ex);
                    failure = StoreUnavailable.DiskRefused();
                    return null;
                }
            }
            else if (_engine.IsStorageRefusal(ex))
            {
                // A full disk can refuse the rollback too (LiteDB writes the transaction's new pages back
                // to its log as free). Nothing of the batch was confirmed in the log, so its callers are
                // told what every later writer hears until the restart: UNAVAILABLE, not INTERNAL.
                NoteDiskRefused(ex);
                failure = StoreUnavailable.StorageFailed();
                return null;
            }
            failure = ex;
            return null;
        }
    }

    /// <summary>After a commit: takes the new counters, flushes when anything was written (and checkpoints when asked), moves the revision.</summary>
    private Exception? Settle(WriteBatch batch, bool checkpoint = false)
    {
        _counters = batch.Counters;
        Interlocked.Increment(ref _batchCount);
        var notDurable = batch.Wrote ? Flush(checkpoint) : null;
        if (notDurable is null && _diskRefused)
        {
            _diskRefused = false;
            _logger.DiskRecovered(Stopwatch.GetElapsedTime(Interlocked.Read(ref _diskRefusedSince)).TotalSeconds, _counters.LastRevision);
        }
        // Even when the flush failed the changes are committed and visible to readers, so the
        // revision moves and the listener hears of them: a gap in the live feed would be worse.
        Interlocked.Exchange(ref _committedRevision, _counters.LastRevision);
        return notDurable;
    }

    private void Compact(List<PendingCompaction> requested)
    {
        _revisionAtLastCompaction = _counters.LastRevision;
        var cutoff = _counters.LastRevision - _options.ChangeLogRetention;
        var dropped = 0;
        if (cutoff > _counters.CompactedThrough)
        {
            var started = Stopwatch.GetTimestamp();
            var compacted = _counters with { CompactedThrough = cutoff };
            // Raised before the delete commits: a reader that checks it after reading the log then
            // never mistakes a run with a hole in it for a complete one. A failure lowers it again.
            Interlocked.Exchange(ref _compactedThrough, cutoff);
            try
            {
                var begun = _engine.Begin(_counters);
                compacted = begun with { CompactedThrough = Math.Max(cutoff, begun.CompactedThrough) };
                dropped = _engine.Rows.DeleteChangesThrough(cutoff);
                _engine.Rows.WriteCounters(compacted, revisionChanged: false);
                _engine.Commit();
            }
            catch (Exception ex)
            {
                _logger.CompactionFailed(ex);
                if (RollBack())
                {
                    ReloadCounters();
                }
                else
                {
                    Interlocked.Exchange(ref _compactedThrough, _counters.CompactedThrough);
                }
                foreach (var compaction in requested)
                {
                    compaction.Fail(ex);
                }
                return;
            }
            _counters = compacted;
            Flush();
            _logger.Compacted(cutoff, dropped, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        foreach (var compaction in requested)
        {
            compaction.Complete(dropped);
        }
    }

    /// <summary>
    /// Rolls a failed transaction back. When even that fails, LiteDB leaves the transaction open on
    /// this thread and refuses every later rollback of it, so the writer stops taking writes.
    /// </summary>
    /// <returns>False when the store is now failed.</returns>
    private bool RollBack()
    {
        try
        {
            _engine.RollBack();
            return true;
        }
        catch (Exception ex)
        {
            _failed = true;
            _logger.RollbackFailed(ex);
            return false;
        }
    }

    /// <summary>
    /// Makes what was committed durable, folding it into the database file too when
    /// <paramref name="checkpoint"/>; returns the failure, if any, for the callers of the batch.
    /// </summary>
    private Exception? Flush(bool checkpoint = false)
    {
        try
        {
            if (checkpoint)
            {
                _engine.Checkpoint();
            }
            else
            {
                _engine.Flush();
            }
            return null;
        }
        catch (Exception ex)
        {
            _logger.FlushFailed(ex, _counters.LastRevision);
            if (_engine.IsStorageRefusal(ex))
            {
                NoteDiskRefused(ex);
                return StoreUnavailable.NotFlushed();
            }
            return new IOException("The change was committed but could not be flushed to disk; it may not survive a power failure.", ex);
        }
    }

    private void NoteDiskRefused(Exception exception)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _nextDiskAttempt, now + (long)(DiskRetryInterval.TotalSeconds * Stopwatch.Frequency));
        if (!_diskRefused)
        {
            Interlocked.Exchange(ref _diskRefusedSince, now);
            _diskRefused = true;
            _logger.DiskRefused(exception, DiskRetryInterval.TotalSeconds);
        }
    }

    /// <summary>After a failed commit, believes the database rather than memory about what is durable.</summary>
    private void ReloadCounters()
    {
        try
        {
            var durable = _engine.ReadCounters();
            if (durable.LastRevision != _counters.LastRevision)
            {
                _logger.CountersMovedOnFailure(durable.LastRevision, _counters.LastRevision);
            }
            _counters = durable;
            Interlocked.Exchange(ref _committedRevision, durable.LastRevision);
            Interlocked.Exchange(ref _compactedThrough, durable.CompactedThrough);
        }
        catch (Exception ex)
        {
            _logger.CountersReloadFailed(ex);
        }
    }

    private void Publish(IReadOnlyList<RequestChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }
        try
        {
            _listener.OnCommitted(changes);
        }
        catch (Exception ex)
        {
            _logger.ListenerFailed(ex, changes[0].Revision, changes[^1].Revision);
        }
    }
}
