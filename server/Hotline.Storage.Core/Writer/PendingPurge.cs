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
    public IReadOnlyList<string> Select(IStoreRows rows)
    {
        if (Interrupted)
        {
            return rows.ReadPurgesInProgress();
        }
        if (_requestId is not null)
        {
            return rows.IsRequest(_requestId) ? [_requestId] : [];
        }
        return rows.FindClosedBefore(_closedBefore!.Value, _limit);
    }

    public void Complete(int purged) => Succeed(purged);
}
