using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// The LiteDB store's <see cref="IStoreEngine"/>: one database that only this process writes, so the
/// writer's counters are the database's. A commit lands in LiteDB's log; the checkpoint that folds
/// the log into the data file and flushes it is what makes a batch durable (<see cref="Flush"/>);
/// the log is put on disk first (<see cref="LiteDbLogFile"/>), null for a store on caller-owned streams.
/// </summary>
internal sealed class LiteDbEngine(LiteDatabase database, StoreSchema schema, LiteDbLogFile? log) : IStoreEngine
{
    public IStoreRows Rows { get; } = new LiteDbRows(schema);

    public StoreCounters Begin(StoreCounters held) =>
        database.BeginTrans() ? held : throw new InvalidOperationException("The writer thread still has a transaction open.");

    public void Commit() => database.Commit();

    /// <summary>This writer is the only one, so the rows read now are the rows its next transaction begins with.</summary>
    public T Read<T>(Func<IStoreRows, T> read) => read(Rows);

    public void RollBack() => database.Rollback();

    public void Flush() => LiteDbLogFile.Checkpoint(database, log);

    public StoreCounters ReadCounters() => StoreCounters.Read(schema.Meta);

    /// <summary>An I/O error from the file system (a full disk, a failing one), anywhere in the exception's causes.</summary>
    public bool IsStorageRefusal(Exception exception)
    {
        for (Exception? cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is IOException)
            {
                return true;
            }
        }
        return false;
    }
}
