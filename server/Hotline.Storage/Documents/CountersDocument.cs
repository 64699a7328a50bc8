using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// <see cref="StoreCounters"/> as the <c>counters</c> document of the <c>meta</c> collection. Written
/// as extension members of the counters so the store's code reads <c>StoreCounters.Read(meta)</c>
/// and <c>counters.Write(meta)</c>, as it did before the counters moved to the shared core.
/// </summary>
internal static class CountersDocument
{
    private const string Id = "counters";

    extension(StoreCounters)
    {
        /// <summary>The collection that holds the counters and the store's other bookkeeping documents.</summary>
        public static string Collection => "meta";

        public static StoreCounters Read(ILiteCollection<BsonDocument> meta) =>
            meta.FindById(Id) is { } doc
                ? new StoreCounters(doc["last_revision"].AsInt64, doc["next_number"].AsInt64, doc["compacted_through"].AsInt64,
                    doc["audit_sequence"].IsNull ? 0 : doc["audit_sequence"].AsInt64,
                    doc["audit_head"].IsNull ? AuditChain.GenesisHash.ToArray() : doc["audit_head"].AsBinary)
                : StoreCounters.Empty;
    }

    extension(StoreCounters counters)
    {
        public void Write(ILiteCollection<BsonDocument> meta) => meta.Upsert(new BsonDocument
        {
            ["_id"] = Id,
            ["last_revision"] = counters.LastRevision,
            ["next_number"] = counters.NextNumber,
            ["compacted_through"] = counters.CompactedThrough,
            ["audit_sequence"] = counters.AuditSequence,
            ["audit_head"] = counters.AuditHead,
        });
    }
}
