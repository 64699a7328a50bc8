using System.Globalization;
using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// Remembers which request an intake caller's idempotency key created. The key is stored only as a
/// keyed hash: integrators choose it, and a gateway that builds it from a phone number or a message
/// id would otherwise leave exactly what sealing hides in the clear.
/// </summary>
internal static class IntakeKeyDocument
{
    public const string Collection = "intake_keys";
    public const string RequestIdField = "request_id";

    /// <summary>
    /// The length prefix makes the key unambiguous whatever characters an operator id holds:
    /// ("a:b", "c") and ("a", "b:c") cannot meet.
    /// </summary>
    public static string Key(KeyRing ring, string submittedBy, string intakeRequestId) =>
        ring.IntakeKey(submittedBy.Length.ToString(CultureInfo.InvariantCulture) + ":" + submittedBy + ":" + intakeRequestId);

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
