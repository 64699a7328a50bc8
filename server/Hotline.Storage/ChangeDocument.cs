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
