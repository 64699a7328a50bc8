using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>
/// What a database restored with PostgreSQL's own tools (pg_restore, a base backup) needs before a
/// server opens it: the same new history as a restored LiteDB store. The restored head is behind
/// what the lost servers committed, so without this the database would issue the same revisions
/// again for different changes, and a console that saw the lost ones would resume on top of them
/// without noticing. The revision moves ahead by <see cref="Gap"/> and the change log counts as
/// compacted up to there: every stream resuming from an older revision gets a reset and a snapshot.
/// </summary>
public static class PostgresNewHistory
{
    /// <summary>As LiteDB's: more than any installation could commit after the copy was taken (a million changes a second for twelve days).</summary>
    public const long Gap = 1L << 40;

    /// <summary>How many Hotline servers listen on the database now (each keeps one <see cref="ChangeWakeups"/> connection).</summary>
    /// <exception cref="DatabaseUnavailableException">The database cannot be reached or used.</exception>
    public static async Task<int> CountListeningServersAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            return await CountAsync(connectionString, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgresConnectionString.IsUnavailable(ex))
        {
            throw PostgresConnectionString.Unavailable(connectionString, ex);
        }
    }

    private static async Task<int> CountAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var connection = await data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name", connection);
        count.Parameters.AddWithValue("name", ChangeWakeups.ApplicationName);
        return await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long listening ? checked((int)listening) : 0;
    }

    /// <summary>Moves the head ahead by <see cref="Gap"/>, all before it counting as compacted, under the head row's lock.</summary>
    /// <returns>The revision the installation now goes on from.</returns>
    /// <exception cref="DatabaseUnavailableException">The database cannot be reached or used.</exception>
    public static async Task<long> BeginAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            return await MoveHeadAsync(connectionString, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgresConnectionString.IsUnavailable(ex))
        {
            throw PostgresConnectionString.Unavailable(connectionString, ex);
        }
    }

    private static async Task<long> MoveHeadAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var connection = await data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var head = await StoreHead.LockAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var start = checked(head.LastRevision + Gap);
        await (head with { LastRevision = start, CompactedThrough = start }).WriteAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return start;
    }
}
