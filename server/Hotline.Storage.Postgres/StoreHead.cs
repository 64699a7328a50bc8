using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>
/// The installation's counters as one row (see <see cref="PostgresSchema"/>): locked first by every
/// write transaction and written back last, which orders the commits of every server.
/// </summary>
/// <param name="LastRevision">The revision of the newest committed change.</param>
/// <param name="NextNumber">The number the next request gets; numbers are never reused.</param>
/// <param name="CompactedThrough">Changes at or below this revision were dropped from the change log.</param>
/// <param name="AuditSequence">The sequence number of the newest audit record; 0 before the first.</param>
/// <param name="AuditHead">That record's hash: the next record chains from it.</param>
public sealed record StoreHead(long LastRevision, long NextNumber, long CompactedThrough, long AuditSequence, byte[] AuditHead)
{
    /// <summary>Locks the row until the transaction ends and reads it.</summary>
    public static async Task<StoreHead> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            "SELECT last_revision, next_number, compacted_through, audit_sequence, audit_head FROM head WHERE id = 1 FOR UPDATE",
            connection, transaction);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The row as last committed, without locking it.</summary>
    public static Task<StoreHead> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        ReadAsync(connection, transaction: null, cancellationToken);

    /// <summary>The row as <paramref name="transaction"/>'s snapshot sees it, without locking it.</summary>
    public static async Task<StoreHead> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            "SELECT last_revision, next_number, compacted_through, audit_sequence, audit_head FROM head WHERE id = 1", connection, transaction);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the row back inside the transaction that locked it.</summary>
    public async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            "UPDATE head SET last_revision = @revision, next_number = @number, compacted_through = @compacted, audit_sequence = @sequence, audit_head = @hash WHERE id = 1",
            connection, transaction);
        command.Parameters.AddWithValue("revision", LastRevision);
        command.Parameters.AddWithValue("number", NextNumber);
        command.Parameters.AddWithValue("compacted", CompactedThrough);
        command.Parameters.AddWithValue("sequence", AuditSequence);
        command.Parameters.AddWithValue("hash", AuditHead);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            throw new InvalidOperationException("The head row is missing: the schema was not created.");
        }
    }

    private static async Task<StoreHead> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("The head row is missing: the schema was not created.");
        }
        return new StoreHead(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), (byte[])reader.GetValue(4));
    }
}
