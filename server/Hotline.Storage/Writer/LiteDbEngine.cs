using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// The LiteDB store's <see cref="IStoreEngine"/>: one database that only this process writes, so the
/// writer's counters are the database's. A commit lands in LiteDB's log; flushing the log makes a
/// batch durable (LiteDB replays the log on open, and the store checkpoints it before any write),
/// and a checkpoint once the log has passed <paramref name="checkpointLogBytes"/> folds it into the
/// data file and empties it. On streams the caller owns (<paramref name="log"/> null) there is no
/// file to flush, so every batch is checkpointed.
/// </summary>
/// <remarks>
/// Flushing the log instead of checkpointing every batch saves, per batch, the second flush (of the
/// data file), the truncation of the log and the emptying of LiteDB's page cache (which made the
/// next batch read its index pages back from disk). The pages are still copied to the data file,
/// several batches at a time. Measured in docs/performance.md ("Log flush per batch").
/// </remarks>
internal sealed class LiteDbEngine(LiteDatabase database, StoreSchema schema, LiteDbLogFile? log, long checkpointLogBytes) : IStoreEngine
{
    public IStoreRows Rows { get; } = new LiteDbRows(schema);

    public StoreCounters Begin(StoreCounters held) =>
        database.BeginTrans() ? held : throw new InvalidOperationException("The writer thread still has a transaction open.");

    public void Commit() => database.Commit();

    /// <summary>This writer is the only one, so the rows read now are the rows its next transaction begins with.</summary>
    public T Read<T>(Func<IStoreRows, T> read) => read(Rows);

    public void RollBack() => database.Rollback();

    public void Flush()
    {
        if (log is null || checkpointLogBytes == 0)
        {
            Checkpoint();
        }
        else
        {
            log.Flush();
        }
    }

    public bool CheckpointDue => log is not null && checkpointLogBytes > 0 && log.Length >= checkpointLogBytes;

    public void Checkpoint() => LiteDbLogFile.Checkpoint(database, log);

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
