using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// Remembers which request an intake caller's idempotency key created, under the key's stored form
/// (<see cref="IntakeKeys"/>: a keyed hash) as <c>_id</c>.
/// </summary>
internal static class IntakeKeyDocument
{
    public const string Collection = "intake_keys";
    public const string RequestIdField = "request_id";

    public static BsonDocument ToBson(string key, IntakeReceipt receipt) => new()
    {
        ["_id"] = key,
        [RequestIdField] = receipt.RequestId,
        ["number"] = receipt.Number,
        ["create_time"] = receipt.CreateTime.UtcTicks,
    };

    /// <summary>The receipt of the first submission, marked as a duplicate.</summary>
    public static IntakeReceipt DuplicateReceipt(BsonDocument doc) => new(
        doc[RequestIdField].AsString,
        doc["number"].AsInt64,
        RequestDocument.Utc(doc["create_time"]),
        Duplicate: true);
}
