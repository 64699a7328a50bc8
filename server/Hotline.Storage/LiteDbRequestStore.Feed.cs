using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

// The live feed's reads and records: the working set a watch starts from, its pages, the change replay, and the audit records of watch streams.
public sealed partial class LiteDbRequestStore
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
    /// Finds the working set in one read transaction and returns it as ids only; the requests are
    /// read later, a page at a time, by <see cref="ReadUnchangedAsync"/>.
    /// </summary>
    /// <remarks>
    /// Why not one read snapshot held across all pages: LiteDB binds a transaction to the thread
    /// that began it, so it cannot be held across the awaits between pages (the stream waits for its
    /// client there), and an open transaction holds off the checkpoint the writer runs after every
    /// batch, so a slow watcher would stall every write. Instead the set is found at once, here,
    /// inside one explicit transaction that never leaves this synchronous call: LiteDB gives all
    /// reads of one collection within a transaction the same snapshot, so the revision watermark
    /// (kept in the requests collection for this reason, see <see cref="RevisionWatermark"/>) and
    /// both index lookups see the same commit. The lookups read only the clear <c>state</c> and
    /// <c>close_time</c> fields through their indexes: nothing is decrypted and no closed history is
    /// walked. Only the ids are kept, a few dozen bytes per request of the set. The revision R is the
    /// watermark's rather than the highest found on a request of the set: the set may be empty, and
    /// a start of 0 after compaction would send a watcher back for a fresh snapshot forever.
    /// Each page is then read by id, after R, and a request whose revision is above R is left out:
    /// it changed after R, and that change (revision &gt; R, carrying the whole request) reaches the
    /// watcher after the snapshot, because a watcher subscribes before R is read. Every request
    /// sent is therefore exactly as it was at R, and nothing is lost or sent twice. Data keys are
    /// read with each page: a request purged meanwhile has lost its key and is left out, which is
    /// what its DELETED change that follows would have done anyway.
    /// </remarks>
    public async Task<IWorkingSetSnapshot> ReadWorkingSetAsync(TimeSpan closedWithin, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(closedWithin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(closedWithin, WatchAudit.MaxClosedWindow);
        if (Vault.IsLocked)
        {
            throw DomainException.LockedDown(write: false);
        }
        var now = _time.GetUtcNow();
        using var scan = await _scans.EnterAsync(cancellationToken).ConfigureAwait(false);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        var (ids, revision, newestClose) = FindWorkingSet(now - closedWithin);
        return new WorkingSetSnapshot(this, ids, revision, now - closedWithin, newestClose > now ? newestClose : now);
    }

    /// <summary>
    /// The requests of a working-set page that are still as they were at <paramref name="revision"/>,
    /// opened: those changed since are left out (see <see cref="ReadWorkingSetAsync"/>). The page
    /// stops once it holds <see cref="RequestStoreOptions.ReadPageBytes"/> of sealed content;
    /// <c>Consumed</c> says how many of <paramref name="ids"/> it covered (at least one).
    /// </summary>
    internal async Task<(IReadOnlyList<HelpRequest> Requests, int Consumed)> ReadUnchangedAsync(ReadOnlyMemory<string> ids, long revision, CancellationToken cancellationToken)
    {
        using var scan = await _scans.EnterAsync(cancellationToken).ConfigureAwait(false);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        var idArray = new BsonArray(ids.Length);
        var positions = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        foreach (var id in ids.Span)
        {
            positions[id] = positions.Count;
            idArray.Add(id);
        }
        var found = _schema.Requests.Find(BsonExpression.Create(ByIds, idArray)).ToList();
        Interlocked.Add(ref _workingSetDocumentsRead, found.Count);
        found.Sort((a, b) => positions[a["_id"].AsString].CompareTo(positions[b["_id"].AsString]));
        var taken = CountWithinPageBytes(found);
        // Cut short, the page covers the ids up to its last document (those not found included); else all of them.
        var consumed = taken < found.Count ? positions[found[taken - 1]["_id"].AsString] + 1 : ids.Length;
        found.RemoveRange(taken, found.Count - taken);
        found.RemoveAll(doc => doc[RequestDocument.RevisionField].AsInt64 > revision);
        var opened = OpenAll(found);
        Interlocked.Add(ref _workingSetRequestsOpened, opened.Count);
        return (opened, consumed);
    }

    /// <summary>Roughly the bytes a document holds: its binary (sealed) and text values, 8 for anything else.</summary>
    private static long ApproximateSize(BsonValue value) => value.Type switch
    {
        BsonType.Binary => value.AsBinary.Length,
        BsonType.String => value.AsString.Length,
        BsonType.Document => value.AsDocument.Values.Sum(ApproximateSize),
        BsonType.Array => value.AsArray.Sum(ApproximateSize),
        _ => 8,
    };

    /// <summary>
    /// How many leading documents of <paramref name="docs"/> fit in <see cref="RequestStoreOptions.ReadPageBytes"/>:
    /// up to and including the one that reaches it, and at least one.
    /// </summary>
    private int CountWithinPageBytes(List<BsonDocument> docs)
    {
        long bytes = 0;
        for (var i = 0; i < docs.Count; i++)
        {
            bytes += ApproximateSize(docs[i]);
            if (bytes >= _readPageBytes)
            {
                return i + 1;
            }
        }
        return docs.Count;
    }

    /// <summary>
    /// Reads no further than <see cref="CommittedRevision"/>, so a replay never hands out a change
    /// the listener has not been told of yet, nor one that is not known to be on disk. Changes of a
    /// request being purged (its key already destroyed) are left out; its DELETED change follows.
    /// </summary>
    public async Task<ChangeReplay> ReadChangesAsync(long fromRevision, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        var from = Math.Max(fromRevision, 1);
        var upTo = CommittedRevision;
        var found = from > upTo || max == 0
            ? []
            : _schema.Changes.Find(ChangeDocument.Between(from, upTo), 0, max).ToList();
        var taken = CountWithinPageBytes(found);
        var readThrough = taken > 0 ? found[taken - 1]["_id"].AsInt64 : from - 1;
        // Cut short by size or by max, the replay may have more to read from readThrough + 1.
        var more = taken < found.Count || found.Count == max;
        var docs = found[..taken];
        var changes = new List<RequestChange>(docs.Count);
        if (docs.Count > 0)
        {
            using var keys = Vault.Enter(write: false);
            var earlier = new EarlierContactsCount(_schema.Requests);
            var sealers = new Dictionary<string, RequestSealer?>(StringComparer.Ordinal);
            try
            {
                foreach (var doc in docs)
                {
                    if (ChangeDocument.SealedRequest(doc) is not { } sealedRequest)
                    {
                        changes.Add(ChangeDocument.FromBson(doc, request: null));
                        continue;
                    }
                    var id = ChangeDocument.RequestId(doc);
                    if (!sealers.TryGetValue(id, out var sealer))
                    {
                        sealer = DataKeyDocument.OpenSealer(keys.Ring, id, _schema.Keys.FindById(id));
                        sealers[id] = sealer;
                    }
                    if (sealer is not null)
                    {
                        changes.Add(ChangeDocument.FromBson(doc, RequestDocument.FromBson(sealedRequest, sealer, earlier.Count(RequesterIndex.PrefixOf(sealedRequest), sealedRequest[RequestDocument.NumberField].AsInt64))));
                    }
                }
            }
            finally
            {
                foreach (var sealer in sealers.Values)
                {
                    sealer?.Dispose();
                }
            }
        }
        // Checked after the read: compaction raises this mark before its delete commits, so a run
        // that lost its start to a concurrent compaction is always caught here.
        if (from <= _writer.CompactedThrough)
        {
            return new ChangeReplay([], Compacted: true);
        }
        return new ChangeReplay(changes, Compacted: false) { More = more && readThrough < upTo, ReadThrough = readThrough };
    }

    /// <summary>
    /// The ids of the working set, ordered, and the revision they reflect, all read in one LiteDB
    /// transaction so they come from one snapshot (see <see cref="ReadWorkingSetAsync"/>). Must stay
    /// synchronous: the transaction belongs to this thread.
    /// </summary>
    private (string[] Ids, long Revision, DateTimeOffset NewestClose) FindWorkingSet(DateTimeOffset closedSince)
    {
        if (!_database.BeginTrans())
        {
            throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
        }
        try
        {
            var read = 0;
            var (revision, found) = RevisionWatermark.Read(_schema.Requests);
            if (found)
            {
                read++;
            }
            var ids = new HashSet<string>(StringComparer.Ordinal);
            // Selecting the id alone loads each matching document's id and the indexed field, nothing else.
            foreach (var doc in _schema.Requests.Query().Where(OpenStates, OpenStateValues).Select(IdOnly).ToDocuments())
            {
                read++;
                ids.Add(doc["_id"].AsString);
            }
            // Open requests have no close time (a reopen clears it), so no entry in the close-time index.
            var newestClose = closedSince.UtcTicks;
            foreach (var doc in _schema.Requests.Query().Where(ClosedSince, closedSince.UtcTicks).Select(IdAndCloseTime).ToDocuments())
            {
                read++;
                ids.Add(doc["_id"].AsString);
                newestClose = Math.Max(newestClose, doc["closed"].AsInt64);
            }
            Interlocked.Add(ref _workingSetDocumentsRead, read);
            var ordered = ids.ToArray();
            Array.Sort(ordered, StringComparer.Ordinal);
            return (ordered, revision, new DateTimeOffset(newestClose, TimeSpan.Zero));
        }
        finally
        {
            _database.Rollback();
        }
    }
}
