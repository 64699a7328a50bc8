namespace Hotline.Storage;

/// <summary>What a consistent copy of the database holds: its revision and audit-chain head, and its size.</summary>
/// <param name="Revision">The newest revision in the copy; a store opened on it starts there.</param>
/// <param name="AuditSequence">The newest audit record in the copy.</param>
/// <param name="AuditHead">That record's hash: the copy's chain must verify up to it.</param>
/// <param name="Bytes">The size of the copied data file.</param>
public sealed record StoreSnapshot(long Revision, long AuditSequence, ReadOnlyMemory<byte> AuditHead, long Bytes);

public sealed partial class LiteDbRequestStore
{
    /// <summary>The database's file name inside a data directory, where a restore puts a backup's copy.</summary>
    public const string DatabaseFileName = DataDirectory.DatabaseFileName;

    private string? _databaseFile;

    /// <summary>
    /// Copies the database file to <paramref name="destination"/> while the store keeps serving:
    /// the writer checkpoints between two batches and copies the file before it takes the next,
    /// so the copy is consistent at one revision. Writes wait for the copy (a few hundred
    /// milliseconds for tens of thousands of requests), reads do not. The copy's sealed fields stay
    /// sealed under the master key; its clear fields (ids, states, times) are as on disk, so the
    /// caller seals the whole copy before it leaves the machine. <paramref name="destination"/>
    /// should be a local file: the writer waits for it.
    /// </summary>
    /// <exception cref="NotSupportedException">The store was opened on streams, not a data directory.</exception>
    public async Task<StoreSnapshot> CopyDatabaseAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var file = _databaseFile ?? throw new NotSupportedException("Only a store opened on a data directory can be copied.");
        cancellationToken.ThrowIfCancellationRequested();
        return await _writes.EnqueueAsync(new PendingSnapshot(counters =>
        {
            using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            source.CopyTo(destination);
            destination.Flush();
            return new StoreSnapshot(counters.LastRevision, counters.AuditSequence, counters.AuditHead.ToArray(), source.Length);
        }, cancellationToken)).ConfigureAwait(false);
    }
}
