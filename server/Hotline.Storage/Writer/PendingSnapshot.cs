namespace Hotline.Storage;

/// <summary>
/// A copy of the database taken on the writer between two batches, right after a checkpoint: no
/// transaction is open and the write-ahead log is folded into the data file, so the file is
/// consistent at one revision for as long as the copy takes. Writes queue meanwhile.
/// </summary>
internal sealed class PendingSnapshot : PendingWrite<StoreSnapshot>, IBetweenBatches
{
    private readonly Func<StoreCounters, StoreSnapshot> _copy;

    public PendingSnapshot(Func<StoreCounters, StoreSnapshot> copy, CancellationToken cancellationToken)
    {
        _copy = copy;
        WatchCancellation(cancellationToken);
    }

    /// <summary>Copies, on the writer thread, with the counters the copy is consistent at.</summary>
    public void Run(StoreCounters counters)
    {
        try
        {
            Succeed(_copy(counters));
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }
}
