using System.Data;
using Hotline.Domain;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>
/// Hands this server's change listener every change any server committed, in revision order, each
/// once: the PostgreSQL store's live feed, where the LiteDB store's writer publishes its own
/// commits. Woken by <see cref="ChangeWakeups"/> (a notification's revision, or its periodic
/// re-read, so a lost notification costs latency, never a change), it reads the head row and the
/// change log after the last revision it published from one REPEATABLE READ snapshot: the head
/// row orders every commit, so every revision up to the head's is committed in that snapshot, and
/// one missing from the log was removed (by a purge, or compaction), never still to come. Memory
/// is bounded by <see cref="PageSize"/> changes, whatever the backlog.
/// </summary>
internal sealed class ChangeFollower(NpgsqlDataSource dataSource, StoreKeyVault vault, IChangeListener listener, long publishedThrough,
    ILogger logger)
{
    /// <summary>Changes read, opened and published at a time.</summary>
    public const int PageSize = 256;

    /// <summary>Changes after <c>@after</c> up to <c>@upTo</c>, at most <c>@max</c>, each with its request's wrapped data key; rows read by <see cref="ReadRow"/>.</summary>
    internal const string ReadPage =
        "SELECT c.revision, c.request_id, c.kind, c.actor, c.request, k.wrapped FROM changes c "
        + "LEFT JOIN data_keys k ON k.request_id = c.request_id "
        + "WHERE c.revision > @after AND c.revision <= @upTo ORDER BY c.revision LIMIT @max";

    private readonly SemaphoreSlim _turn = new(1, 1);
    private long _publishedThrough = publishedThrough;
    private long _headSeen = publishedThrough;

    /// <summary>The newest revision handed to the listener (or passed over as removed). Safe from any thread.</summary>
    public long PublishedThrough => Interlocked.Read(ref _publishedThrough);

    /// <summary>
    /// The newest head revision a catch-up has read: committed on every server, and at least what is
    /// being handed to the listener right now. Safe from any thread.
    /// </summary>
    public long HeadSeen => Interlocked.Read(ref _headSeen);

    /// <summary>Follows the wake-ups until <paramref name="cancellationToken"/> ends it.</summary>
    public Task RunAsync(ChangeWakeups wakeups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wakeups);
        return wakeups.RunAsync(
            (hint, token) => hint is { } revision && revision <= PublishedThrough ? Task.CompletedTask : CatchUpAsync(token),
            cancellationToken);
    }

    /// <summary>
    /// Publishes everything committed after <see cref="PublishedThrough"/>, a page at a time, until
    /// it has caught up with the head. One catch-up at a time; a locked-down server publishes
    /// nothing (it cannot open the changes) and catches up once unlocked.
    /// </summary>
    /// <returns>How many changes it published.</returns>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var published = 0;
            while (true)
            {
                var (stored, head) = await ReadPageAsync(PublishedThrough, cancellationToken).ConfigureAwait(false);
                if (head <= PublishedThrough)
                {
                    return published;
                }
                InterlockedMax(ref _headSeen, head);
                var through = stored.Count == PageSize ? stored[^1].Change.Revision : head;
                if (!Publish(stored))
                {
                    return published;
                }
                published += stored.Count;
                Interlocked.Exchange(ref _publishedThrough, through);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task<(List<(StoredChange Change, byte[]? WrappedKey)> Stored, long Head)> ReadPageAsync(long after,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var head = await StoreHead.ReadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var stored = new List<(StoredChange, byte[]?)>();
        if (head.LastRevision > after)
        {
            await using var command = new NpgsqlCommand(ReadPage, connection, transaction);
            command.Parameters.AddWithValue("after", after);
            command.Parameters.AddWithValue("upTo", head.LastRevision);
            command.Parameters.AddWithValue("max", PageSize);
            await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                stored.Add(ReadRow(rows));
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (stored, head.LastRevision);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var seen = Interlocked.Read(ref target);
        while (value > seen)
        {
            var before = Interlocked.CompareExchange(ref target, value, seen);
            if (before == seen)
            {
                return;
            }
            seen = before;
        }
    }

    internal static (StoredChange, byte[]?) ReadRow(NpgsqlDataReader row) => (
        new StoredChange(
            row.GetInt64(0),
            row.GetString(1),
            (ChangeKind)row.GetInt32(2),
            row.GetString(3),
            Columns.StringOrNull(row, 4) is { } json ? RequestRows.FromJson(json) : null),
        Columns.BytesOrNull(row, 5));

    /// <summary>
    /// Opens and hands over one page. A change whose request's data key is gone (a purge destroyed
    /// it after the change committed; the purge's DELETED change follows) cannot be opened and is
    /// left out: what a watcher can no longer read, it is not sent.
    /// </summary>
    /// <returns>False when the keys are not in memory (locked down): nothing was published.</returns>
    private bool Publish(List<(StoredChange Change, byte[]? WrappedKey)> stored)
    {
        if (stored.Count == 0)
        {
            return true;
        }
        List<RequestChange> changes;
        using (var keys = vault.TryEnter())
        {
            if (keys is null)
            {
                return false;
            }
            changes = StoredChanges.Open(keys.Ring, stored);
        }
        if (changes.Count == 0)
        {
            return true;
        }
        try
        {
            listener.OnCommitted(changes);
        }
        catch (Exception ex)
        {
            logger.ListenerFailed(ex, changes[0].Revision, changes[^1].Revision);
        }
        return true;
    }
}
