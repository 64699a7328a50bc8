namespace Hotline.Storage;

/// <summary>
/// LiteDB's write-ahead log file, flushed to disk by the writer after each group commit. A commit
/// writes its pages to the log through the operating system without syncing them; flushing the
/// log then makes them survive a power cut, and LiteDB replays them on the next open (which the
/// store checkpoints before any write). That is one sequential flush of the pages just appended,
/// where a checkpoint reads them back, copies each to its place in the data file, flushes that,
/// truncates the log and drops LiteDB's page cache: several times the disk work, and a cold cache
/// for the next batch. The writer still checkpoints once the log passes
/// <see cref="RequestStoreOptions.CheckpointLogBytes"/>, after a purge, a compaction and at shutdown.
/// </summary>
/// <remarks>
/// The flush goes through a descriptor of our own: fsync flushes a file's data whichever descriptor
/// wrote it, and LiteDB writes whole pages straight through its file stream (no bytes wait in a
/// user-space buffer once a commit returns). Not on Windows, where LiteDB's own handle refuses
/// others write access and the flush needs it, nor for stores on streams the caller gave
/// (<see cref="LiteDbRequestStore.OpenOnStream"/>): both checkpoint every batch, so the data file
/// alone holds every acknowledged write.
/// Used by the writer thread only.
/// </remarks>
internal sealed class WriteAheadLog : IDisposable
{
    private readonly FileStream _stream;

    private WriteAheadLog(FileStream stream) => _stream = stream;

    /// <summary>The size of the log now: what a checkpoint would have to copy.</summary>
    public long Length => _stream.Length;

    /// <summary>The log beside <paramref name="databaseFile"/>, named as LiteDB names it; null where it cannot be flushed from outside.</summary>
    public static WriteAheadLog? ForDatabaseFile(string databaseFile)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        var path = Path.Combine(Path.GetDirectoryName(databaseFile) ?? "",
            Path.GetFileNameWithoutExtension(databaseFile) + "-log" + Path.GetExtension(databaseFile));
        // No buffer: nothing is ever written through this stream; it exists to be flushed.
        return new WriteAheadLog(new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0));
    }

    /// <summary>Puts everything LiteDB has written to the log on disk.</summary>
    /// <exception cref="IOException">The flush failed: what was committed may not survive a power cut.</exception>
    public void Flush() => _stream.Flush(flushToDisk: true);

    public void Dispose() => _stream.Dispose();
}
