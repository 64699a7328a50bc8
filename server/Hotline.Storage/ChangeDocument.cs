using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>One entry of the change log, keyed by its revision so a range read is an index scan in order.</summary>
internal static class ChangeDocument
{
    public const string Collection = "changes";

    public static BsonDocument ToBson(RequestChange change) => new()
    {
        ["_id"] = change.Revision,
        ["request_id"] = change.RequestId,
        ["kind"] = (int)change.Kind,
        ["actor"] = change.Actor,
        ["request"] = change.Request is null ? BsonValue.Null : RequestDocument.ToBson(change.Request),
    };

    public static RequestChange FromBson(BsonDocument doc) => new(
        doc["_id"].AsInt64,
        (ChangeKind)doc["kind"].AsInt32,
        doc["request_id"].AsString,
        doc["request"].IsNull ? null : RequestDocument.FromBson(doc["request"].AsDocument),
        doc["actor"].AsString);
}
