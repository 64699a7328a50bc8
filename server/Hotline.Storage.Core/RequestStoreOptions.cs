namespace Hotline.Storage;

/// <summary>Tuning for a request store (its writer and its reads); the defaults suit one hotline on one machine.</summary>
public sealed record RequestStoreOptions
{
    /// <summary>
    /// How many of the newest changes the change log keeps for watchers that resume. A watcher
    /// older than that gets a fresh snapshot instead, so this bounds disk use, not correctness.
    /// </summary>
    public int ChangeLogRetention { get; init; } = 100_000;

    /// <summary>How many waiting commands the writer commits in one transaction at most.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>
    /// LiteDB only: how large LiteDB's log may grow before the writer folds it into the data file
    /// (a checkpoint). Each batch is made durable by flushing the log; a larger log means fewer
    /// checkpoints but a longer replay after a crash and more page versions held until the next
    /// one. 0 checkpoints every batch.
    /// </summary>
    public long CheckpointLogBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>The writer compacts the change log after this many new revisions.</summary>
    public int CompactionInterval { get; init; } = 1_000;

    /// <summary>
    /// Reads allowed at once. LiteDB refuses more than 100 open transactions, and a read that
    /// waits here is better than one that fails under a burst.
    /// </summary>
    public int MaxConcurrentReads { get; init; } = 32;

    /// <summary>
    /// Reads that walk many requests (a watch snapshot, a list) allowed at once, within
    /// <see cref="MaxConcurrentReads"/>. Each holds a thread-pool thread busy for its whole scan; a
    /// reconnect storm of hundreds of watchers with more of them at once than there are cores would
    /// starve the thread pool, and with it every other call and every stream's writes.
    /// </summary>
    public int MaxConcurrentScans { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// How much sealed content one page of a watch snapshot or a change replay holds at most (and
    /// at least one request, whatever its size). A stream holds its page, opened, while its client
    /// takes it, so this, not the size of the requests, bounds what a watcher that stops reading
    /// costs: 100 requests of 8,000 characters would be over 3 MB opened and encoded.
    /// </summary>
    public int ReadPageBytes { get; init; } = 128 * 1024;

    internal void Check()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ChangeLogRetention);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(CompactionInterval, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(CheckpointLogBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentReads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxConcurrentReads, 90);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentScans, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadPageBytes, 1);
    }
}
