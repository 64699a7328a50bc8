namespace Hotline.Storage;

/// <summary>
/// Work the writer runs between two batches, right after a flush, with no transaction open (a copy
/// of the database file): queued like a write, so it sees every write queued before it and none after.
/// </summary>
internal interface IBetweenBatches
{
    /// <summary>Runs on the writer thread with the counters the store is at; reports its own outcome.</summary>
    void Run(StoreCounters counters);

    void Fail(Exception exception);
}
