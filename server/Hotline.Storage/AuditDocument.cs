using System.Buffers.Binary;
using System.Text;
using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// An audit record in the <c>audit</c> collection, keyed by its sequence number, and the canonical
/// encoding its hash is computed over.
/// The hash is an HMAC-SHA256 under a key derived from the master key, not a bare SHA-256: someone
/// who can write the database file but lacks the master key could otherwise edit a record and
/// recompute every hash after it, and the chain would prove nothing.
/// </summary>
internal static class AuditDocument
{
    public const string Collection = "audit";
    public const string RequestIdsField = "request_ids";
    public const string OperatorField = "operator";
    public const string RevisionField = "revision";
    public const string WatchField = "watch";
    public const int HashLength = 32;

    /// <summary>Matches the records naming request @0, through the multikey index on <see cref="RequestIdsField"/>.</summary>
    public const string NamesRequest = "$." + RequestIdsField + "[*] ANY = @0";

    public static readonly byte[] GenesisHash = new byte[HashLength];

    private static readonly byte[] Label = "hotline-audit-v1"u8.ToArray();

    private static readonly byte[] RevisionTag = "revision"u8.ToArray();
    private static readonly byte[] WatchTag = "watch"u8.ToArray();

    public static AuditRecord Create(KeyRing ring, long sequence, DateTimeOffset time, string actor, AuditAction action,
        IReadOnlyList<string> requestIds, byte[] previousHash, string? operatorId = null, long? revision = null, WatchMark? watch = null)
    {
        var unsigned = new AuditRecord(sequence, time, actor, action, requestIds, previousHash, ReadOnlyMemory<byte>.Empty, operatorId,
            revision, watch);
        return unsigned with { Hash = ring.AuditHash(Canonical(unsigned)) };
    }

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

    /// <summary>
    /// Label, sequence, time, actor, action, request ids, previous hash, then the account concerned
    /// only when there is one, then the revision and the watch fields, each behind its tag, only
    /// when there are any: integers big-endian, strings and lists length-prefixed, so no two
    /// different records encode alike. Records written before account changes, revisions or watch
    /// fields were recorded have none of them and encode exactly as they did, so existing chains still verify.
    /// </summary>
    public static byte[] Canonical(AuditRecord record)
    {
        using var buffer = new MemoryStream();
        Write(buffer, Label);
        WriteInt64(buffer, record.Sequence);
        WriteInt64(buffer, record.Time.UtcTicks);
        Write(buffer, Encoding.UTF8.GetBytes(record.Actor));
        WriteInt64(buffer, (long)record.Action);
        WriteInt64(buffer, record.RequestIds.Count);
        foreach (var id in record.RequestIds)
        {
            Write(buffer, Encoding.UTF8.GetBytes(id));
        }
        Write(buffer, record.PreviousHash.Span);
        if (record.OperatorId is not null)
        {
            Write(buffer, Encoding.UTF8.GetBytes(record.OperatorId));
        }
        if (record.Revision is { } revision)
        {
            Write(buffer, RevisionTag);
            WriteInt64(buffer, revision);
        }
        if (record.Watch is { } watch)
        {
            Write(buffer, WatchTag);
            WriteInt64(buffer, watch.Stream);
            WriteInt64(buffer, watch.FromRevision);
            WriteInt64(buffer, watch.Through);
            // Ticks are never negative: -1 says "no snapshot" unlike any time.
            WriteInt64(buffer, watch.SnapshotClosedSince?.UtcTicks ?? -1);
            WriteInt64(buffer, watch.Ended ? 1 : 0);
        }
        return buffer.ToArray();
    }

    private static void Write(MemoryStream buffer, ReadOnlySpan<byte> bytes)
    {
        WriteInt64(buffer, bytes.Length);
        buffer.Write(bytes);
    }

    private static void WriteInt64(MemoryStream buffer, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        buffer.Write(bytes);
    }
}
