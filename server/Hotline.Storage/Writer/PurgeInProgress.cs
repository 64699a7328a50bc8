using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// The ids of a purge between its two transactions, written with the first (keys destroyed) and
/// removed with the second: a crash in between leaves it behind, and the next open finishes the job.
/// </summary>
internal static class PurgeInProgress
{
    private const string Id = "purge_in_progress";

    public static IReadOnlyList<string> Read(ILiteCollection<BsonDocument> meta) =>
        meta.FindById(Id) is { } doc ? [.. doc["request_ids"].AsArray.Select(v => v.AsString)] : [];

    public static void Write(ILiteCollection<BsonDocument> meta, IReadOnlyList<string> requestIds) =>
        meta.Upsert(new BsonDocument { ["_id"] = Id, ["request_ids"] = new BsonArray(requestIds.Select(id => new BsonValue(id))) });

    public static void Clear(ILiteCollection<BsonDocument> meta) => meta.Delete(Id);
}
