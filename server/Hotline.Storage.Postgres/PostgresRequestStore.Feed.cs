using System.Data;
using System.Runtime.CompilerServices;
using Hotline.Domain;
using Npgsql;

namespace Hotline.Storage.Postgres;

// The live feed's reads and records: the working set a watch starts from, its pages, the change replay, and the audit records of watch streams.
public sealed partial class PostgresRequestStore
{
    public Task<WatchLease> RecordWatchStartAsync(string reader, IWorkingSetSnapshot snapshot, CancellationToken cancellationToken) =>
        _writes.RecordWatchStartAsync(reader, snapshot, cancellationToken);

    public Task<WatchLease> RecordWatchStartAsync(string reader, long fromRevision, CancellationToken cancellationToken) =>
        _writes.RecordWatchStartAsync(reader, fromRevision, cancellationToken);

    public Task<WatchLease> RecordWatchProgressAsync(WatchLease lease, long through, CancellationToken cancellationToken) =>
        _writes.RecordWatchProgressAsync(lease, through, cancellationToken);

    public Task RecordWatchEndAsync(WatchLease lease, long through, CancellationToken cancellationToken) =>
        _writes.RecordWatchEndAsync(lease, through, cancellationToken);

    /// <summary>
    /// The working set's ids and the revision they reflect, from one REPEATABLE READ snapshot
    /// (<see cref="FeedReads.FindWorkingSetAsync"/>); its requests are read later, a page at a time,
    /// and a request whose revision has moved past the snapshot's is left out of its page: its change
    /// follows, as on every store (see <see cref="IWorkingSetSnapshot"/>).
    /// </summary>
    public async Task<IWorkingSetSnapshot> ReadWorkingSetAsync(TimeSpan closedWithin, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(closedWithin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(closedWithin, WatchAudit.MaxClosedWindow);
        if (Vault.IsLocked)
        {
            throw DomainException.LockedDown(write: false);
        }
        var now = _time.GetUtcNow();
        await _scans.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var found = await FeedReads.FindWorkingSetAsync(_data, now - closedWithin, cancellationToken).ConfigureAwait(false);
            return new WorkingSet(this, [.. found.Ids], found.Revision, now - closedWithin, found.NewestClose > now ? found.NewestClose : now);
        }
        finally
        {
            _scans.Release();
        }
    }

    /// <summary>
    /// Reads no further than the head row of its snapshot: every revision up to it is committed, and
    /// one missing from the log was removed (a purge's or compaction's), never still to come. Changes of
    /// a request being purged (its key already destroyed) are left out; its DELETED change follows.
    /// </summary>
    public async Task<ChangeReplay> ReadChangesAsync(long fromRevision, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        var from = Math.Max(fromRevision, 1);
        var found = new List<(StoredChange Change, byte[]? WrappedKey)>();
        StoreHead head;
        await using (var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false))
        {
            head = await StoreHead.ReadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (from <= head.LastRevision && max > 0 && from > head.CompactedThrough)
            {
                await using var command = new NpgsqlCommand(ChangeFollower.ReadPage, connection, transaction);
                command.Parameters.AddWithValue("after", from - 1);
                command.Parameters.AddWithValue("upTo", head.LastRevision);
                command.Parameters.AddWithValue("max", max);
                await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    found.Add(ChangeFollower.ReadRow(rows));
                }
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        if (from <= head.CompactedThrough)
        {
            return new ChangeReplay([], Compacted: true);
        }
        var taken = CountWithinPageBytes(found.Select(f => f.Change.Request));
        var readThrough = taken > 0 ? found[taken - 1].Change.Revision : from - 1;
        // Cut short by size or by max, the replay may have more to read from readThrough + 1.
        var more = taken < found.Count || found.Count == max;
        var run = found[..taken];
        List<RequestChange> changes;
        if (run.Count == 0)
        {
            changes = [];
        }
        else
        {
            using var keys = Vault.Enter(write: false);
            changes = StoredChanges.Open(keys.Ring, run);
        }
        return new ChangeReplay(changes, Compacted: false) { More = more && readThrough < head.LastRevision, ReadThrough = readThrough };
    }

    /// <summary>
    /// The requests of a working-set page still as they were at <paramref name="revision"/>, opened;
    /// the page stops once it holds <see cref="RequestStoreOptions.ReadPageBytes"/> of sealed content.
    /// <c>Consumed</c> says how many of <paramref name="ids"/> it covered (at least one).
    /// </summary>
    private async Task<(IReadOnlyList<HelpRequest> Requests, int Consumed)> ReadUnchangedAsync(ArraySegment<string> ids, long revision,
        CancellationToken cancellationToken)
    {
        List<StoredRequest> found;
        await _scans.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            found = await FeedReads.ReadByIdsAsync(connection, ids, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _scans.Release();
        }
        var taken = CountWithinPageBytes(found.Select(f => (Protection.SealedRequest?)f.Request));
        var consumed = ids.Count;
        if (taken < found.Count)
        {
            // Cut short, the page covers the ids up to its last request (those not found included).
            consumed = ids.AsSpan().IndexOf(found[taken - 1].Request.Envelope.Id) + 1;
        }
        var unchanged = found.Take(taken).Where(f => f.Request.Envelope.Revision <= revision).ToList();
        return (OpenAll(unchanged), consumed);
    }

    /// <summary>
    /// How many leading requests fit in <see cref="RequestStoreOptions.ReadPageBytes"/>: up to and
    /// including the one that reaches it, and at least one.
    /// </summary>
    private int CountWithinPageBytes(IEnumerable<Protection.SealedRequest?> requests)
    {
        long bytes = 0;
        var count = 0;
        foreach (var request in requests)
        {
            count++;
            bytes += StoredChanges.ApproximateSize(request);
            if (bytes >= _readPageBytes)
            {
                return count;
            }
        }
        return count;
    }

    /// <summary>The working set found by <see cref="ReadWorkingSetAsync"/>: its ids in id order, each page read when asked for.</summary>
    private sealed class WorkingSet(PostgresRequestStore store, string[] ids, long revision, DateTimeOffset closedSince,
        DateTimeOffset closedUntil) : IWorkingSetSnapshot
    {
        public long Revision => revision;

        public int Count => ids.Length;

        public DateTimeOffset ClosedSince => closedSince;

        public DateTimeOffset ClosedUntil => closedUntil;

        public async IAsyncEnumerable<IReadOnlyList<HelpRequest>> ReadPagesAsync(int pageSize,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
            for (var start = 0; start < ids.Length;)
            {
                var slice = new ArraySegment<string>(ids, start, Math.Min(pageSize, ids.Length - start));
                var (page, consumed) = await store.ReadUnchangedAsync(slice, revision, cancellationToken).ConfigureAwait(false);
                start += consumed;
                // A page whose every request changed since the revision has nothing to send: those changes follow.
                if (page.Count > 0)
                {
                    yield return page;
                }
            }
        }
    }
}
