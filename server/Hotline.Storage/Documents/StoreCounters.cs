using LiteDB;

namespace Hotline.Storage;

/// <summary>The store-wide counters, kept in one `meta` document written in the same transaction as the changes they count.</summary>
/// <param name="LastRevision">The revision of the newest change.</param>
/// <param name="NextNumber">The number the next request gets; numbers are never reused.</param>
/// <param name="CompactedThrough">Changes at or below this revision were dropped from the change log.</param>
/// <param name="AuditSequence">The sequence number of the newest audit record; 0 before the first.</param>
/// <param name="AuditHead">The hash of that record: the next one chains from it, and verification checks the chain ends there.</param>
internal sealed record StoreCounters(long LastRevision, long NextNumber, long CompactedThrough, long AuditSequence, byte[] AuditHead)
{
    public const string Collection = "meta";

    public static readonly StoreCounters Empty = new(0, 1, 0, 0, AuditChain.GenesisHash.ToArray());

    private const string Id = "counters";

    public static StoreCounters Read(ILiteCollection<BsonDocument> meta) =>
        meta.FindById(Id) is { } doc
            ? new StoreCounters(doc["last_revision"].AsInt64, doc["next_number"].AsInt64, doc["compacted_through"].AsInt64,
                doc["audit_sequence"].IsNull ? 0 : doc["audit_sequence"].AsInt64,
                doc["audit_head"].IsNull ? AuditChain.GenesisHash.ToArray() : doc["audit_head"].AsBinary)
            : Empty;

    public void Write(ILiteCollection<BsonDocument> meta) => meta.Upsert(new BsonDocument
    {
        ["_id"] = Id,
        ["last_revision"] = LastRevision,
        ["next_number"] = NextNumber,
        ["compacted_through"] = CompactedThrough,
        ["audit_sequence"] = AuditSequence,
        ["audit_head"] = AuditHead,
    });
}
