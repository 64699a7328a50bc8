using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// Requests to destroy, decided on the writer: one named request, a round of requests closed before
/// a cutoff, or the remains of purges a crash interrupted. Completes with how many were purged.
/// </summary>
internal sealed class PendingPurge : PendingWrite<int>
{
    private readonly string? _requestId;
    private readonly DateTimeOffset? _closedBefore;
    private readonly int _limit;

    private PendingPurge(string actor, string? requestId, DateTimeOffset? closedBefore, int limit, bool interrupted,
        CancellationToken cancellationToken)
    {
        Actor = actor;
        _requestId = requestId;
        _closedBefore = closedBefore;
        _limit = limit;
        Interrupted = interrupted;
        WatchCancellation(cancellationToken);
    }

    public string Actor { get; }

    /// <summary>Finishing purges whose keys are already destroyed and audited: nothing to seal, so it runs while locked too.</summary>
    public bool Interrupted { get; }

    public bool IsRetention => _closedBefore is not null;

    public static PendingPurge One(string requestId, string actor, CancellationToken cancellationToken) =>
        new(actor, requestId, null, 1, interrupted: false, cancellationToken);

    public static PendingPurge ClosedBefore(DateTimeOffset cutoff, string actor, int limit, CancellationToken cancellationToken) =>
        new(actor, null, cutoff, limit, interrupted: false, cancellationToken);

    public static PendingPurge Unfinished() => new("system", null, null, int.MaxValue, interrupted: true, CancellationToken.None);

    /// <summary>The ids to purge now, read on the writer against the current rows.</summary>
    public IReadOnlyList<string> Select(StoreSchema schema)
    {
        if (Interrupted)
        {
            return PurgeInProgress.Read(schema.Meta);
        }
        if (_requestId is not null)
        {
            return RevisionWatermark.IsRequest(schema.Requests.FindById(_requestId)) ? [_requestId] : [];
        }
        return [.. FindClosedBefore(schema, _closedBefore!.Value)
            .OrderBy(doc => doc[RequestDocument.CloseTimeField].AsInt64)
            .Take(_limit)
            .Select(doc => doc["_id"].AsString)];
    }

    /// <summary>The requests a purge of those closed before <paramref name="cutoff"/> takes, unordered.</summary>
    public static IEnumerable<BsonDocument> FindClosedBefore(StoreSchema schema, DateTimeOffset cutoff)
    {
        var ticks = cutoff.UtcTicks;
        return schema.Requests.Find(Query.EQ(RequestDocument.StateField, (int)RequestState.Closed))
            .Where(doc => doc[RequestDocument.CloseTimeField] is { IsInt64: true } closed && closed.AsInt64 < ticks);
    }

    public void Complete(int purged) => Succeed(purged);
}

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
