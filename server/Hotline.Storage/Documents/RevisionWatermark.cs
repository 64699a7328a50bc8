using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// The newest revision, kept as a bookkeeping document inside the <c>requests</c> collection and
/// rewritten in every transaction that changes a request. LiteDB gives each collection read its
/// own snapshot, so a counter kept in another collection could be read at a different moment
/// from the requests; kept here, one read transaction returns the requests and the exact revision
/// they reflect together (see <see cref="LiteDbRequestStore.ReadWorkingSetAsync"/>). This type is
/// the only code that knows the document is there: it writes and reads it, and
/// <see cref="IsRequest"/> is the one test a read of the collection uses to leave it out.
/// Reads through the state, close-time, open-key and requester indexes never meet it (it has none
/// of those fields); reads by id cannot ask for it (its id is not a well-formed request id).
/// </summary>
internal static class RevisionWatermark
{
    /// <summary>Not a request id: those are lowercase base32 (<see cref="RequestIds"/>), so no request can take it.</summary>
    private const string Id = "~revision";

    private const string RevisionField = "revision";

    /// <summary>Records <paramref name="revision"/> as the newest, within the writer's transaction.</summary>
    public static void Write(ILiteCollection<BsonDocument> requests, long revision) =>
        requests.Upsert(new BsonDocument { ["_id"] = Id, [RevisionField] = revision });

    /// <summary>The newest revision as of the caller's snapshot of the collection, and whether one was found (0 before any change).</summary>
    public static (long Revision, bool Found) Read(ILiteCollection<BsonDocument> requests) =>
        requests.FindById(Id) is { } doc ? (doc[RevisionField].AsInt64, true) : (0, false);

    /// <summary>False for the watermark, true for every request: what a walk over the collection keeps.</summary>
    public static bool IsRequest(BsonDocument? doc) =>
        doc is not null && !(doc["_id"] is { IsString: true } id && id.AsString == Id);
}
