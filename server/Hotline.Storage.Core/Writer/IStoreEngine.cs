namespace Hotline.Storage;

/// <summary>
/// The transactions of one database, as the writer (<see cref="StoreWriter"/>) runs them: one at a
/// time, all on the writer's own thread (LiteDB binds a transaction to the thread that began it).
/// </summary>
internal interface IStoreEngine
{
    /// <summary>The rows of the transaction in progress.</summary>
    IStoreRows Rows { get; }

    /// <summary>
    /// Begins a transaction and returns the counters to build on: <paramref name="held"/> when this
    /// writer is the database's only one (LiteDB), or the counters as committed, locked until the
    /// transaction ends, when other servers write too (PostgreSQL's head row).
    /// </summary>
    StoreCounters Begin(StoreCounters held);

    void Commit();

    /// <summary>
    /// Runs <paramref name="read"/> against the rows outside any write transaction (what a purge
    /// selects before it writes): as they are now, with no lock held once it returns.
    /// </summary>
    T Read<T>(Func<IStoreRows, T> read);

    /// <summary>Rolls the transaction in progress back; throws when it cannot, and the writer then stops taking writes.</summary>
    void RollBack();

    /// <summary>
    /// Makes what was committed durable, when a commit alone does not (LiteDB's log is written
    /// through the OS and never flushed by LiteDB itself); throws when it cannot.
    /// </summary>
    void Flush();

    /// <summary>
    /// True when what <see cref="Flush"/> left aside has grown enough to be worth
    /// <see cref="Checkpoint"/> now (LiteDB's log, which every read looks pages up in and the
    /// next open replays). The writer asks after a batch's callers have their answers.
    /// </summary>
    bool CheckpointDue { get; }

    /// <summary>
    /// Flushes, then folds everything committed into the database file itself, so that the file
    /// alone holds it: what a copy of the file and crypto-shredding need (LiteDB's checkpoint,
    /// which also empties its log). Throws when it cannot.
    /// </summary>
    void Checkpoint();

    /// <summary>The counters as last committed, read outside any transaction: after a failure, believed over memory.</summary>
    StoreCounters ReadCounters();

    /// <summary>
    /// True when <paramref name="exception"/> says the storage refused the write (a full or failing
    /// disk, a database that cannot be reached) rather than that the write or the code was wrong:
    /// writes are then refused with STORAGE_FAILED and tried again now and then.
    /// </summary>
    bool IsStorageRefusal(Exception exception);
}
