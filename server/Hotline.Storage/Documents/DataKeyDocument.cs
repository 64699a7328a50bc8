using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// One request's data key, wrapped by the master key, in the <c>keys</c> collection: the one small
/// thing to destroy to make every copy of the request's sealed fields unreadable. Kept apart from
/// the request so a purge can destroy it first, in a transaction of its own.
/// </summary>
internal static class DataKeyDocument
{
    public const string Collection = "keys";

    public static BsonDocument ToBson(string requestId, byte[] wrapped) => new()
    {
        ["_id"] = requestId,
        ["wrapped"] = wrapped,
    };

    public static byte[] Wrapped(BsonDocument doc) => doc["wrapped"].AsBinary;

    /// <summary>The sealer of the request whose keys document is <paramref name="doc"/>; null when it is gone (purged) or does not open.</summary>
    public static RequestSealer? OpenSealer(KeyRing ring, string requestId, BsonDocument? doc) =>
        RequestSealer.ForWrapped(ring, requestId, doc is null ? null : Wrapped(doc));
}
