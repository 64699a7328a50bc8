using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// Account changes made during a lockdown, waiting in the meta collection for the unlock to chain
/// them into the audit trail (see <see cref="WriteBatch.AuditAccount"/>). Oldest first.
/// </summary>
internal static class DeferredAccountAudit
{
    private const string Id = "audit_deferred";

    public static void Append(ILiteCollection<BsonDocument> meta, DeferredAccountChange change)
    {
        var doc = meta.FindById(Id) ?? new BsonDocument { ["_id"] = Id, ["records"] = new BsonArray() };
        doc["records"].AsArray.Add(new BsonDocument
        {
            ["time"] = change.Time.UtcTicks,
            ["actor"] = change.Actor,
            ["action"] = (int)change.Action,
            ["operator"] = change.OperatorId,
        });
        meta.Upsert(doc);
    }

    /// <summary>How many records wait for the unlock.</summary>
    public static int Count(ILiteCollection<BsonDocument> meta) => meta.FindById(Id) is { } doc ? doc["records"].AsArray.Count : 0;

    /// <summary>Every waiting record, removed from the collection in the same transaction.</summary>
    public static IReadOnlyList<DeferredAccountChange> Take(ILiteCollection<BsonDocument> meta)
    {
        if (meta.FindById(Id) is not { } doc)
        {
            return [];
        }
        meta.Delete(Id);
        return [.. doc["records"].AsArray.Select(r => new DeferredAccountChange(
            RequestDocument.Utc(r["time"]), r["actor"].AsString, (AuditAction)r["action"].AsInt32, r["operator"].AsString))];
    }
}
