using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// A bookkeeping document inside the <c>requests</c> collection that holds the newest revision,
/// rewritten in every transaction that changes a request. LiteDB gives each collection read its
/// own snapshot, so a counter kept in another collection could be read at a different moment
/// from the requests; kept here, one read of the collection returns the requests and the exact
/// revision they reflect together.
/// </summary>
internal static class RevisionWatermark
{
    /// <summary>Not a request id: those are lowercase base32 (<see cref="RequestIds"/>), so no request can take it.</summary>
    public const string Id = "~revision";

    public static BsonDocument ToBson(long revision) => new() { ["_id"] = Id, ["revision"] = revision };

    public static bool Is(BsonDocument doc) => doc["_id"] is { IsString: true } id && id.AsString == Id;

    public static long Revision(BsonDocument doc) => doc["revision"].AsInt64;
}
