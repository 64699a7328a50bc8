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
    public const string RequestIdsField = "request_ids";
    public const string OperatorField = "operator";
    public const string RevisionField = "revision";
    public const string WatchField = "watch";

    /// <summary>Matches the records naming request @0, through the multikey index on <see cref="RequestIdsField"/>.</summary>
    public const string NamesRequest = "$." + RequestIdsField + "[*] ANY = @0";

    public static BsonDocument ToBson(AuditRecord record)
    {
        var doc = new BsonDocument
        {
            ["_id"] = record.Sequence,
            ["time"] = record.Time.UtcTicks,
            ["actor"] = record.Actor,
            ["action"] = (int)record.Action,
            [RequestIdsField] = new BsonArray(record.RequestIds.Select(id => new BsonValue(id))),
            ["prev"] = record.PreviousHash.ToArray(),
            ["hash"] = record.Hash.ToArray(),
        };
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
        [.. doc[RequestIdsField].AsArray.Select(v => v.AsString ?? throw new InvalidCastException("request id"))],
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
            return new StoredAuditRecord(doc["_id"].AsInt64, FromBson(doc));
        }
        catch (Exception ex) when (ex is InvalidCastException or NullReferenceException)
        {
            return new StoredAuditRecord(doc["_id"].AsInt64, null);
        }
    }

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
