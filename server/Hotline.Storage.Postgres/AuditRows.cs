using Hotline.Domain;
using Hotline.Protection;
using Npgsql;
using NpgsqlTypes;

namespace Hotline.Storage.Postgres;

/// <summary>
/// Audit records in the <c>audit</c> table, one row per sequence number. How records are hashed,
/// linked and verified is <see cref="AuditChain"/>'s, the same for every store; a watch record's
/// mark is kept in columns of its own, which the trail's stream lookups index.
/// </summary>
internal static class AuditRows
{
    /// <summary>The columns <see cref="Read"/> expects, in order.</summary>
    public const string Columns =
        "sequence, ticks, actor, action, request_ids, operator_id, revision, "
        + "watch_stream, watch_from, watch_through, watch_closed_since, watch_ended, previous_hash, hash";

    public static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AuditRecord record, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(InsertSql, connection, transaction);
        Bind(command.Parameters, record);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The insert of the record, for the writer's thread to send with its batch (<see cref="PostgresRows"/>).</summary>
    public static NpgsqlBatchCommand InsertStatement(AuditRecord record)
    {
        var statement = new NpgsqlBatchCommand(InsertSql);
        Bind(statement.Parameters, record);
        return statement;
    }

    private const string InsertSql =
        "INSERT INTO audit (" + Columns + ") VALUES (@sequence, @ticks, @actor, @action, @request_ids, @operator_id, @revision, "
        + "@watch_stream, @watch_from, @watch_through, @watch_closed_since, @watch_ended, @previous_hash, @hash)";

    private static void Bind(NpgsqlParameterCollection parameters, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        parameters.AddWithValue("sequence", record.Sequence);
        parameters.AddWithValue("ticks", record.Time.UtcTicks);
        parameters.AddWithValue("actor", record.Actor);
        parameters.AddWithValue("action", (int)record.Action);
        parameters.AddWithValue("request_ids", record.RequestIds.ToArray());
        parameters.Add(Optional("operator_id", NpgsqlDbType.Text, record.OperatorId));
        parameters.Add(Optional("revision", NpgsqlDbType.Bigint, record.Revision));
        var watch = record.Watch;
        parameters.Add(Optional("watch_stream", NpgsqlDbType.Bigint, watch?.Stream));
        parameters.Add(Optional("watch_from", NpgsqlDbType.Bigint, watch?.FromRevision));
        parameters.Add(Optional("watch_through", NpgsqlDbType.Bigint, watch?.Through));
        parameters.Add(Optional("watch_closed_since", NpgsqlDbType.Bigint, watch?.SnapshotClosedSince?.UtcTicks));
        parameters.Add(Optional("watch_ended", NpgsqlDbType.Boolean, watch?.Ended));
        parameters.AddWithValue("previous_hash", record.PreviousHash.ToArray());
        parameters.AddWithValue("hash", record.Hash.ToArray());
    }

    /// <summary>
    /// The record in the current row as <see cref="AuditChain.Verify"/> takes it: a row whose fields
    /// do not make a record (edited into nonsense) is reported through a null record, not thrown.
    /// </summary>
    public static StoredAuditRecord ReadStored(NpgsqlDataReader row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var sequence = row.GetInt64(0);
        try
        {
            return new StoredAuditRecord(sequence, Read(row));
        }
        catch (Exception ex) when (ex is InvalidCastException or ArgumentOutOfRangeException)
        {
            return new StoredAuditRecord(sequence, null);
        }
    }

    public static AuditRecord Read(NpgsqlDataReader row)
    {
        ArgumentNullException.ThrowIfNull(row);
        WatchMark? watch = null;
        if (!row.IsDBNull(7))
        {
            watch = new WatchMark(
                row.GetInt64(7),
                row.GetInt64(8),
                row.GetInt64(9),
                row.IsDBNull(10) ? null : RequestRows.Utc(row.GetInt64(10)),
                row.GetBoolean(11));
        }
        return new AuditRecord(
            row.GetInt64(0),
            RequestRows.Utc(row.GetInt64(1)),
            row.GetString(2),
            (AuditAction)row.GetInt32(3),
            (string[])row.GetValue(4),
            (byte[])row.GetValue(12),
            (byte[])row.GetValue(13),
            row.IsDBNull(5) ? null : row.GetString(5),
            row.IsDBNull(6) ? null : row.GetInt64(6),
            watch);
    }

    private static NpgsqlParameter Optional<T>(string name, NpgsqlDbType type, T? value) =>
        new(name, type) { Value = (object?)value ?? DBNull.Value };
}
