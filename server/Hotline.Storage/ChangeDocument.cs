using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>One entry of the change log, keyed by its revision so a range read is an index scan in order.</summary>
internal static class ChangeDocument
{
    public const string Collection = "changes";

    public static BsonDocument ToBson(RequestChange change) =>
        ToBson(change, change.Request is null ? null : RequestDocument.ToBson(change.Request));

    /// <summary>With the request already in BSON (the row just written), so it is not built twice.</summary>
    public static BsonDocument ToBson(RequestChange change, BsonDocument? request) => new()
    {
        ["_id"] = change.Revision,
        ["request_id"] = change.RequestId,
        ["kind"] = (int)change.Kind,
        ["actor"] = change.Actor,
        ["request"] = request ?? BsonValue.Null,
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

    public static RequestChange FromBson(BsonDocument doc) => new(
        doc["_id"].AsInt64,
        (ChangeKind)doc["kind"].AsInt32,
        doc["request_id"].AsString,
        doc["request"].IsNull ? null : RequestDocument.FromBson(doc["request"].AsDocument),
        doc["actor"].AsString);
}
