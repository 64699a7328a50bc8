using System.Globalization;
using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>Remembers which request an intake caller's idempotency key created.</summary>
internal static class IntakeKeyDocument
{
    public const string Collection = "intake_keys";
    public const string RequestIdField = "request_id";

    /// <summary>
    /// The length prefix makes the key unambiguous whatever characters an operator id holds:
    /// ("a:b", "c") and ("a", "b:c") cannot meet.
    /// </summary>
    public static string Key(string submittedBy, string intakeRequestId) =>
        submittedBy.Length.ToString(CultureInfo.InvariantCulture) + ":" + submittedBy + ":" + intakeRequestId;

    public static BsonDocument ToBson(string submittedBy, string intakeRequestId, IntakeReceipt receipt) => new()
    {
        ["_id"] = Key(submittedBy, intakeRequestId),
        ["submitted_by"] = submittedBy,
        ["intake_request_id"] = intakeRequestId,
        [RequestIdField] = receipt.RequestId,
        ["number"] = receipt.Number,
        ["create_time"] = receipt.CreateTime.UtcTicks,
    };

    /// <summary>The receipt of the first submission, marked as a duplicate.</summary>
    public static IntakeReceipt DuplicateReceipt(BsonDocument doc) => new(
        doc["request_id"].AsString,
        doc["number"].AsInt64,
        RequestDocument.Utc(doc["create_time"]),
        Duplicate: true);
}
