using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// The LiteDB store's <see cref="IStoreRows"/>: the documents of <see cref="StoreSchema"/>, read by
/// id through the writer's parsed-once lookups. Used by the writer thread only.
/// </summary>
internal sealed class LiteDbRows(StoreSchema schema) : IStoreRows
{
    private readonly WriterLookups _lookups = new(schema);
    private readonly FreshIds _freshIds = new(NewestStoredId(schema.Requests));
    private long _idLookups;

    /// <summary>How many new ids needed a lookup to prove them free (<see cref="FreshIds"/>); for tests.</summary>
    internal long IdLookups => _idLookups;

    public HelpRequest? FindRequest(string requestId, Func<string, byte[]?> dataKey)
    {
        if (_lookups.Requests.Find(requestId) is not { } doc || !RevisionWatermark.IsRequest(doc))
        {
            return null;
        }
        if (dataKey(requestId) is not { } key)
        {
            return null;
        }
        using var sealer = new RequestSealer(requestId, key);
        return RequestDocument.FromBson(doc, sealer, _lookups.EarlierContacts.Of(doc));
    }

    public bool RequestExists(string requestId)
    {
        if (_freshIds.CertainlyUnused(requestId))
        {
            return false;
        }
        _idLookups++;
        return _lookups.Requests.Find(requestId) is not null;
    }

    /// <summary>
    /// The greatest request id stored: the top of the <c>_id</c> index, past the revision watermark
    /// and any other bookkeeping document (none is a well-formed request id). An index seek, whatever is stored.
    /// </summary>
    private static string? NewestStoredId(ILiteCollection<BsonDocument> requests) =>
        requests.Find(Query.All("_id", Query.Descending))
            .Select(doc => doc["_id"])
            .Where(id => id.IsString && RequestIds.IsWellFormed(id.AsString))
            .Select(id => id.AsString)
            .FirstOrDefault();

    public int CountEarlierContacts(byte[]? pseudonym, long number) =>
        _lookups.EarlierContacts.Count(pseudonym is null ? null : RequesterIndex.Prefix(pseudonym), number);

    /// <summary>
    /// A created request is inserted: its id was just checked to be free, and the unique <c>_id</c>
    /// index would refuse it otherwise, so an upsert's extra update attempt (an index lookup that
    /// always misses) buys nothing. Any other change updates a row the batch has just read.
    /// </summary>
    public void WriteChange(RequestChange change, RequestSealer sealer, byte[]? pseudonym)
    {
        var request = change.Request ?? throw new ArgumentException("A change that stores a request carries it.", nameof(change));
        var requester = pseudonym is null ? null : RequesterIndex.Key(pseudonym, request.Number);
        var sealedDoc = RequestDocument.ToBson(request, sealer, requester);
        if (change.Kind == ChangeKind.Created)
        {
            schema.Requests.Insert(sealedDoc);
        }
        else if (!schema.Requests.Update(sealedDoc))
        {
            throw new InvalidOperationException("A request read inside the batch was not there to update.");
        }
        schema.Changes.Insert(ChangeDocument.ToBson(change, sealedDoc));
    }

    public void AppendDeletion(RequestChange change) => schema.Changes.Insert(ChangeDocument.ToBson(change, sealedRequest: null));

    public IReadOnlyList<string> RemoveRequest(string requestId)
    {
        var removed = schema.Requests.FindById(requestId);
        schema.Requests.Delete(requestId);
        IReadOnlyList<string> recounted = removed is not null && RequesterIndex.PrefixOf(removed) is { } prefix
            ? RecountLaterContacts(prefix, removed[RequestDocument.NumberField].AsInt64)
            : [];
        schema.Changes.DeleteMany(ChangeDocument.OfRequest(requestId));
        schema.IntakeKeys.DeleteMany(BsonExpression.Create("$." + IntakeKeyDocument.RequestIdField + " = @0", requestId));
        return recounted;
    }

    public IntakeReceipt? FindReceipt(string key) =>
        _lookups.IntakeKeys.Find(key) is { } doc ? IntakeKeyDocument.DuplicateReceipt(doc) : null;

    public void InsertReceipt(string key, IntakeReceipt receipt) => schema.IntakeKeys.Insert(IntakeKeyDocument.ToBson(key, receipt));

    public byte[]? FindWrappedDataKey(string requestId) => _lookups.Keys.Find(requestId) is { } doc ? DataKeyDocument.Wrapped(doc) : null;

    public void InsertDataKey(string requestId, byte[] wrapped) => schema.Keys.Insert(DataKeyDocument.ToBson(requestId, wrapped));

    /// <summary>
    /// LiteDB 5.0.21 zero-fills a deleted document's bytes in its page, and the checkpoint after this
    /// transaction copies that page over the data file and empties the log; the crypto-shredding
    /// tests check exactly that, so an upgrade that changes it fails loudly.
    /// </summary>
    public void DeleteDataKey(string requestId) => schema.Keys.Delete(requestId);

    public OperatorRecord? FindOperator(string operatorId) =>
        schema.Operators.FindById(operatorId) is { } doc ? OperatorDocument.FromBson(doc) : null;

    public void WriteOperator(OperatorRecord record) => schema.Operators.Upsert(OperatorDocument.ToBson(record));

    public void AppendAudit(AuditRecord record) => schema.Audit.Insert(AuditDocument.ToBson(record));

    public void AppendWatch(long sequence, WatchMark mark, TimeSpan? window)
    {
        schema.Watches.Insert(WatchDocument.ToBson(sequence, mark));
        if (window is { } width && WatchIndexState.Read(schema.Meta) is { } state && width > state.WidestWindow)
        {
            (state with { WidestWindow = width }).Write(schema.Meta);
        }
    }

    public void DeferAccountAudit(DeferredAccountChange change) => DeferredAccountAudit.Append(schema.Meta, change);

    public IReadOnlyList<DeferredAccountChange> TakeDeferredAccountAudits() => DeferredAccountAudit.Take(schema.Meta);

    public void SetLocked(bool locked)
    {
        var security = SecurityDocument.Read(schema.Meta) ?? throw new InvalidOperationException("The security document is missing.");
        (security with { Locked = locked }).Write(schema.Meta);
    }

    public bool IsRequest(string requestId) => RevisionWatermark.IsRequest(schema.Requests.FindById(requestId));

    /// <summary>The oldest closed first, from the close-time index: a round reads what it purges, not the closed history.</summary>
    public IReadOnlyList<string> FindClosedBefore(DateTimeOffset cutoff, int limit) =>
        [.. ClosedBefore(schema, cutoff)
            .Take(limit)
            .Select(doc => doc["_id"].AsString)];

    public IReadOnlyList<string> ReadPurgesInProgress() => PurgeInProgress.Read(schema.Meta);

    /// <summary>The actor is not kept: finishing an interrupted purge records nothing that names one.</summary>
    public void WritePurgesInProgress(IReadOnlyList<string> requestIds, string actor) => PurgeInProgress.Write(schema.Meta, requestIds);

    public void ClearPurgesInProgress() => PurgeInProgress.Clear(schema.Meta);

    public int DeleteChangesThrough(long revision) => schema.Changes.DeleteMany(ChangeDocument.AtOrBelow(revision));

    /// <summary>The counters, and, when the revision moved, the snapshot watermark (see <see cref="RevisionWatermark"/>).</summary>
    public void WriteCounters(StoreCounters counters, bool revisionChanged)
    {
        counters.Write(schema.Meta);
        if (revisionChanged)
        {
            RevisionWatermark.Write(schema.Requests, counters.LastRevision);
        }
    }

    /// <summary>
    /// The requests a purge of those closed before <paramref name="cutoff"/> takes, oldest close first,
    /// read lazily along the close-time index (which holds closed requests alone). A reopen clears the
    /// close time, so every entry is a closed request; the state is checked all the same.
    /// </summary>
    public static IEnumerable<BsonDocument> ClosedBefore(StoreSchema schema, DateTimeOffset cutoff) =>
        schema.Requests.Find(BsonExpression.Create(LiteDbRequestStore.ClosedBefore, cutoff.UtcTicks))
            .Where(doc => doc[RequestDocument.StateField].AsInt32 == (int)RequestState.Closed);

    /// <summary>
    /// The requester's later requests counted the one just removed among their earlier contacts:
    /// count them again. Only the first <see cref="RequesterIndex.EarlierContactsCap"/> + 1 can change
    /// (every later one had at least that many earlier and still has the cap), so a purge costs at
    /// most that many updates, whatever the requester's history. The clear count alone changes; the
    /// request's revision does not, as the count was always "as of when it is read".
    /// </summary>
    private List<string> RecountLaterContacts(string prefix, long number)
    {
        var (from, to) = RequesterIndex.LaterRange(prefix, number);
        var later = schema.Requests.Find(BsonExpression.Create(RequesterIndex.InRange, from, to), 0, RequesterIndex.EarlierContactsCap + 1).ToList();
        var recounted = new List<string>(later.Count);
        foreach (var doc in later)
        {
            doc[RequestDocument.EarlierContactsField] = _lookups.EarlierContacts.Count(prefix, doc[RequestDocument.NumberField].AsInt64);
            schema.Requests.Update(doc);
            recounted.Add(doc["_id"].AsString);
        }
        return recounted;
    }
}
