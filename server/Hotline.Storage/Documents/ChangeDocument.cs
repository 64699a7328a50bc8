using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// One entry of the change log, keyed by its revision so a range read is an index scan in order.
/// The request it carries is stored exactly as in the requests collection: sealed under the
/// request's data key, so the log holds no readable content and a purge shreds it with the rest.
/// </summary>
internal static class ChangeDocument
{
    public const string Collection = "changes";
    public const string RequestIdField = "request_id";

    public static BsonDocument ToBson(RequestChange change, BsonDocument? sealedRequest) => new()
    {
        ["_id"] = change.Revision,
        [RequestIdField] = change.RequestId,
        ["kind"] = (int)change.Kind,
        ["actor"] = change.Actor,
        ["request"] = sealedRequest is null ? BsonValue.Null : sealedRequest,
    };

    /// <summary>
    /// Changes with revisions from <paramref name="from"/> to <paramref name="upTo"/>. The bounds are
    /// parameters, not text: LiteDB's <c>Query.Between</c> writes them into the expression's source,
    /// and LiteDB compiles (several milliseconds) and caches for good one delegate per distinct source,
    /// so every replay and compaction would cost a compile and leak a few kilobytes.
    /// </summary>
    public static BsonExpression Between(long from, long upTo) => BsonExpression.Create("_id BETWEEN @0 AND @1", from, upTo);

    /// <summary>Changes at or below <paramref name="revision"/>; a parameter for the reason given on <see cref="Between"/>.</summary>
    public static BsonExpression AtOrBelow(long revision) => BsonExpression.Create("_id <= @0", revision);

    /// <summary>The change-log entries of one request; a parameter for the reason given on <see cref="Between"/>.</summary>
    public static BsonExpression OfRequest(string requestId) => BsonExpression.Create("$." + RequestIdField + " = @0", requestId);

    public static long Revision(BsonDocument doc) => doc["_id"].AsInt64;

    public static string RequestId(BsonDocument doc) => doc[RequestIdField].AsString;

    public static BsonDocument? SealedRequest(BsonDocument doc) => doc["request"].IsNull ? null : doc["request"].AsDocument;

    public static RequestChange FromBson(BsonDocument doc, HelpRequest? request) => new(
        Revision(doc),
        (ChangeKind)doc["kind"].AsInt32,
        RequestId(doc),
        request,
        doc["actor"].AsString);
}
