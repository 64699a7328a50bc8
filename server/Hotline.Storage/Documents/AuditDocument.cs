using Hotline.Domain;
using Hotline.Protection;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// An audit record in the <c>audit</c> collection, keyed by its sequence number. How records are
/// hashed, linked and verified is <see cref="AuditChain"/>'s, the same for every store.
/// </summary>
internal static class AuditDocument
{
    public const string Collection = "audit";

    /// <summary>
    /// The record's index keys, under a multikey index: a record naming one request (a change, a
    /// get) has that request's id; a record naming several (a page of a list) has one
    /// <see cref="PeriodKey"/> per period its requests were created in, and the ids themselves in
    /// <see cref="ListedIdsField"/>, which is not indexed. Records written before that layout name
    /// every request here, and are found the same way.
    /// </summary>
    public const string RequestKeysField = "request_ids";

    /// <summary>The requests a record naming several names, in order; absent from a record naming one or none.</summary>
    public const string ListedIdsField = "listed_ids";

    public const string OperatorField = "operator";
    public const string RevisionField = "revision";
    public const string WatchField = "watch";

    /// <summary>Matches the records with index key @0 or @1 (a request's id and its period key), through the index on <see cref="RequestKeysField"/>.</summary>
    public const string HasRequestKey = "$." + RequestKeysField + "[*] ANY IN [@0, @1]";

    /// <summary>
    /// Why a list's record is indexed by period, not by request: a page of 100 would otherwise add
    /// 100 entries to the request index, each on an index page of its own that the commit writes
    /// twice and flushes, which was half of what a list cost (docs/performance.md). Request ids
    /// begin with their creation time (<see cref="RequestIds"/>), so the page's requests fall into
    /// a few periods, and a request's trail still finds every list that named it: the records of
    /// its period, kept when they name it.
    /// </summary>
    public static string PeriodKey(string requestId) => "~" + RequestIds.Period(requestId);

    public static BsonDocument ToBson(AuditRecord record)
    {
        var doc = new BsonDocument
        {
            ["_id"] = record.Sequence,
            ["time"] = record.Time.UtcTicks,
            ["actor"] = record.Actor,
            ["action"] = (int)record.Action,
            [RequestKeysField] = new BsonArray((record.RequestIds.Count > 1
                ? record.RequestIds.Select(PeriodKey).Distinct(StringComparer.Ordinal)
                : record.RequestIds).Select(key => new BsonValue(key))),
            ["prev"] = record.PreviousHash.ToArray(),
            ["hash"] = record.Hash.ToArray(),
        };
        if (record.RequestIds.Count > 1)
        {
            doc[ListedIdsField] = new BsonArray(record.RequestIds.Select(id => new BsonValue(id)));
        }
        if (record.OperatorId is not null)
        {
            doc[OperatorField] = record.OperatorId;
        }
        if (record.Revision is { } revision)
        {
            doc[RevisionField] = revision;
        }
        if (record.Watch is { } watch)
        {
            var mark = new BsonDocument
            {
                ["stream"] = watch.Stream,
                ["from"] = watch.FromRevision,
                ["through"] = watch.Through,
                ["ended"] = watch.Ended,
            };
            if (watch.SnapshotClosedSince is { } closedSince)
            {
                mark["closed_since"] = closedSince.UtcTicks;
            }
            doc[WatchField] = mark;
        }
        return doc;
    }

    /// <exception cref="InvalidCastException">A field is missing or of the wrong type (the record was tampered with).</exception>
    public static AuditRecord FromBson(BsonDocument doc) => new(
        doc["_id"].AsInt64,
        RequestDocument.Utc(doc["time"]),
        doc["actor"].AsString ?? throw new InvalidCastException("actor"),
        (AuditAction)doc["action"].AsInt32,
        [.. doc[doc.ContainsKey(ListedIdsField) ? ListedIdsField : RequestKeysField].AsArray.Select(v => v.AsString ?? throw new InvalidCastException("request id"))],
        doc["prev"].AsBinary ?? throw new InvalidCastException("prev"),
        doc["hash"].AsBinary ?? throw new InvalidCastException("hash"),
        doc.TryGetValue(OperatorField, out var account) ? account.AsString ?? throw new InvalidCastException(OperatorField) : null,
        doc.TryGetValue(RevisionField, out var revision) ? Int64(revision, RevisionField) : null,
        doc.TryGetValue(WatchField, out var watch) ? WatchFromBson(watch) : null);

    /// <summary>The record as read back for <see cref="AuditChain.Verify"/>: a key that is not a number or a record that does not decode is reported, not thrown.</summary>
    public static StoredAuditRecord ToStored(BsonDocument doc)
    {
        if (!doc["_id"].IsInt64 && !doc["_id"].IsInt32)
        {
            return new StoredAuditRecord(null, null);
        }
        try
        {
            var record = FromBson(doc);
            // The index keys are not hashed (they follow from the ids, which are): keys that do not
            // follow would hide the record from the trails of the requests it names.
            return new StoredAuditRecord(doc["_id"].AsInt64, KeysFollowFromIds(doc, record) ? record : null);
        }
        catch (Exception ex) when (ex is InvalidCastException or NullReferenceException)
        {
            return new StoredAuditRecord(doc["_id"].AsInt64, null);
        }
    }

    /// <summary>
    /// A record with <see cref="ListedIdsField"/> names several requests and is indexed by exactly their
    /// period keys, in order of first appearance; a record without it is indexed by the ids it names,
    /// which are read from the keys themselves.
    /// </summary>
    private static bool KeysFollowFromIds(BsonDocument doc, AuditRecord record) =>
        !doc.ContainsKey(ListedIdsField)
        || (record.RequestIds.Count > 1
            && doc[RequestKeysField].AsArray.Select(key => key.AsString)
                .SequenceEqual(record.RequestIds.Select(PeriodKey).Distinct(StringComparer.Ordinal), StringComparer.Ordinal));

    private static WatchMark WatchFromBson(BsonValue value)
    {
        var mark = value.AsDocument ?? throw new InvalidCastException(WatchField);
        return new WatchMark(
            Int64(mark["stream"], "stream"),
            Int64(mark["from"], "from"),
            Int64(mark["through"], "through"),
            mark.TryGetValue("closed_since", out var closedSince) ? Time(Int64(closedSince, "closed_since")) : null,
            mark["ended"].IsBoolean ? mark["ended"].AsBoolean : throw new InvalidCastException("ended"));
    }

    private static long Int64(BsonValue value, string field) => value.IsInt64 ? value.AsInt64 : throw new InvalidCastException(field);

    private static DateTimeOffset Time(long ticks) => ticks >= 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks
        ? new DateTimeOffset(ticks, TimeSpan.Zero)
        : throw new InvalidCastException("closed_since");
}
