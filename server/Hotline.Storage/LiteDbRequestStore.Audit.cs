using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

// The audit trail: records listed by sequence or by request, and the chain verified through <see cref="AuditChain"/>.
public sealed partial class LiteDbRequestStore : IAuditTrail
{
    public async Task<AuditPage> ListAuditAsync(string? requestId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        List<AuditRecord> records;
        if (requestId is null)
        {
            records = [.. _schema.Audit.Find(BsonExpression.Create("_id > @0", afterSequence), 0, limit + 1).Select(AuditDocument.FromBson)];
        }
        else
        {
            // The request's own records and those of its period that name it (see AuditDocument.PeriodKey).
            var own = _schema.Audit.Find(BsonExpression.Create(AuditDocument.HasRequestKey, requestId, AuditDocument.PeriodKey(requestId)))
                .Select(AuditDocument.FromBson)
                .Where(r => r.RequestIds.Contains(requestId, StringComparer.Ordinal))
                .OrderBy(r => r.Sequence)
                .ToList();
            records = [.. own.Concat(StreamsThatCouldHaveSent(own))
                .Where(r => r.Sequence > afterSequence)
                .OrderBy(r => r.Sequence)
                .Take(limit + 1)];
        }
        return AuditPage.FromOneMore(records, limit);
    }

    public async Task<AuditVerification> VerifyAuditAsync(CancellationToken cancellationToken)
    {
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        using var keys = Vault.Enter(write: false);
        // The head first: records committed after it only make the chain longer, never shorter.
        var head = StoreCounters.Read(_schema.Meta);
        return AuditChain.Verify(keys.Ring, AuditInOrder().Select(AuditDocument.ToStored), head.AuditSequence, head.AuditHead,
            cancellationToken);
    }

    public async Task<AuditVerification> VerifyAuditAsync(ReadOnlyMemory<byte> masterKey, CancellationToken cancellationToken)
    {
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        using var ring = Vault.Verify(masterKey.Span);
        var head = StoreCounters.Read(_schema.Meta);
        var awaiting = DeferredAccountAudit.Count(_schema.Meta);
        var verification = AuditChain.Verify(ring, AuditInOrder().Select(AuditDocument.ToStored), head.AuditSequence,
            head.AuditHead, cancellationToken);
        return verification with { AccountChangesAwaitingUnlock = awaiting };
    }

    /// <summary>
    /// The WATCHED records of the streams that could have sent the request whose own records are
    /// <paramref name="own"/> (see <see cref="StreamExposure"/>), each with how far it got. Three kinds of
    /// index range over the stream index, never the chain: the records with <see cref="WatchMark.Through"/>
    /// within <see cref="WatchAudit.RevisionsPerRecord"/> below each change (the streams running
    /// then); the snapshots read at a revision while the request was open; and the snapshots whose
    /// closed window began at most the widest window recorded before one of its closes. So the cost
    /// follows the request's own records and the streams around them, not the length of the trail.
    /// Synchronous: LiteDB enumerators belong to their thread.
    /// </summary>
    private List<AuditRecord> StreamsThatCouldHaveSent(IReadOnlyList<AuditRecord> own)
    {
        if (own.Count == 0 || WatchIndexState.Read(_schema.Meta) is not { } index)
        {
            return [];
        }
        var exposure = StreamExposure.Of(own, index.RevisionsFrom);
        var streams = new HashSet<long>();
        var around = new Dictionary<long, List<(long Sequence, WatchMark Mark)>>();
        var read = 0;
        foreach (var span in exposure.MarkRangesForChanges())
        {
            foreach (var doc in _schema.Watches.Find(WatchDocument.ThroughIn(span)))
            {
                read++;
                var (sequence, mark) = WatchDocument.FromBson(doc);
                if (!around.TryGetValue(mark.Stream, out var records))
                {
                    around[mark.Stream] = records = [];
                }
                records.Add((sequence, mark));
            }
        }
        streams.UnionWith(around.Where(stream => exposure.CouldHaveSent(stream.Value)).Select(stream => stream.Key));
        var snapshots = exposure.OpenSpans
            .Where(span => span.From < span.Until)
            .SelectMany(span => _schema.Watches.Find(WatchDocument.SnapshotIn(span)))
            .Concat(exposure.ClosedSpans.SelectMany(span =>
                _schema.Watches.Find(WatchDocument.ClosedSinceBetween(span.CloseTime, index.WidestWindow))));
        foreach (var doc in snapshots)
        {
            read++;
            var (sequence, mark) = WatchDocument.FromBson(doc);
            if (mark.SnapshotClosedSince is { } closedSince && exposure.InSnapshot(sequence, mark.FromRevision, closedSince))
            {
                streams.Add(sequence);
            }
        }
        var opened = new List<AuditRecord>(streams.Count);
        foreach (var stream in streams)
        {
            // Shown from the chain: the opening record, and the stream's newest one for how far it got.
            var records = _schema.Watches.Find(WatchDocument.OfStream(stream)).Select(d => d["_id"].AsInt64).ToList();
            read += records.Count;
            if (_schema.Audit.FindById(stream) is { } opening && _schema.Audit.FindById(records.Max()) is { } latest)
            {
                opened.Add(AuditDocument.FromBson(opening) with { Reached = AuditDocument.FromBson(latest).Watch });
            }
        }
        Interlocked.Add(ref _streamIndexRecordsRead, read);
        return opened;
    }

    /// <summary>
    /// Every audit record in sequence order, read in chunks that are each their own query. One query
    /// over the whole trail would hold every page it read in one snapshot, and LiteDB's page cache,
    /// which grows to the most pages ever held at once and never shrinks, would keep the size of the
    /// whole trail in memory for the life of the process. Records are only ever appended, so the
    /// chunks join into the chain as it was when the head was read, plus anything appended since.
    /// </summary>
    private IEnumerable<BsonDocument> AuditInOrder()
    {
        const int Chunk = 1_000;
        var after = long.MinValue;
        while (true)
        {
            var chunk = _schema.Audit.Find(BsonExpression.Create("_id > @0", after), 0, Chunk).ToList();
            foreach (var doc in chunk)
            {
                yield return doc;
            }
            if (chunk.Count < Chunk)
            {
                yield break;
            }
            after = chunk[^1]["_id"].AsInt64;
        }
    }

    private Task AuditReadAsync(string reader, AuditAction action, IReadOnlyList<string> requestIds, CancellationToken cancellationToken) =>
        _writes.AuditReadAsync(reader, action, requestIds, cancellationToken);
}
