namespace Hotline.Storage;

/// <summary>A request to drop old changes from the change log; completes with how many were dropped.</summary>
internal sealed class PendingCompaction : PendingWrite<int>
{
    public PendingCompaction(CancellationToken cancellationToken) => WatchCancellation(cancellationToken);

    public void Complete(int dropped) => Succeed(dropped);
}
