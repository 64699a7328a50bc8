using System.Data;
using Hotline.Domain;
using Hotline.Protection;
using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>A change-log row as stored: the request sealed, or null for a deletion.</summary>
internal sealed record StoredChange(long Revision, string RequestId, ChangeKind Kind, string Actor, SealedRequest? Request);

/// <summary>The working set's ids as of one revision (see <see cref="IRequestStore.ReadWorkingSetAsync"/>).</summary>
internal sealed record WorkingSetIds(IReadOnlyList<string> Ids, long Revision, DateTimeOffset NewestClose);

/// <summary>A request row with its wrapped data key (null once a purge destroyed it).</summary>
internal sealed record StoredRequest(SealedRequest Request, byte[]? WrappedKey);

/// <summary>
/// The live feed's reads: the working set a watch starts from, its pages, and runs of the change
/// log. Unlike an embedded store, PostgreSQL gives a transaction one snapshot of every table, so
/// the working set's ids and the revision they reflect come from one REPEATABLE READ transaction.
/// </summary>
internal static class FeedReads
{
    /// <summary>
    /// The ids of every open request and of every request closed at or after <paramref name="closedSince"/>,
    /// sorted, and the head's revision, all from one snapshot. Reads the clear <c>state</c> and
    /// <c>close_ticks</c> through their partial indexes: nothing is opened and no closed history is walked.
    /// </summary>
    public static async Task<WorkingSetIds> FindWorkingSetAsync(NpgsqlDataSource data, DateTimeOffset closedSince, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        await using var connection = await data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var head = await StoreHead.ReadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT id, close_ticks FROM requests WHERE state <> 4 "
            + "UNION SELECT id, close_ticks FROM requests WHERE close_ticks >= @since ORDER BY id",
            connection, transaction);
        command.Parameters.AddWithValue("since", closedSince.UtcTicks);
        var ids = new List<string>();
        var newestClose = closedSince.UtcTicks;
        await using (var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(rows.GetString(0));
                if (Columns.Int64OrNull(rows, 1) is { } closed)
                {
                    newestClose = Math.Max(newestClose, closed);
                }
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new WorkingSetIds(ids, head.LastRevision, RequestRows.Utc(newestClose));
    }

    /// <summary>The rows of <paramref name="ids"/> that exist, in the order of <paramref name="ids"/>, each with its wrapped data key.</summary>
    public static async Task<List<StoredRequest>> ReadByIdsAsync(NpgsqlConnection connection, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await using var command = new NpgsqlCommand(
            "SELECT " + RequestRows.Columns + ", k.wrapped FROM requests r LEFT JOIN data_keys k ON k.request_id = r.id WHERE r.id = ANY(@ids)",
            connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var found = new Dictionary<string, StoredRequest>(StringComparer.Ordinal);
        await using (var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var request = RequestRows.Read(rows);
                found[request.Envelope.Id] = new StoredRequest(request, Columns.BytesOrNull(rows, RequestRows.ColumnCount));
            }
        }
        return [.. ids.Where(found.ContainsKey).Select(id => found[id])];
    }

    /// <summary>Up to <paramref name="max"/> changes with revisions from <paramref name="from"/> to <paramref name="upTo"/>, in order.</summary>
    public static async Task<List<StoredChange>> ReadChangesAsync(NpgsqlConnection connection, long from, long upTo, int max, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT revision, request_id, kind, actor, request FROM changes WHERE revision BETWEEN @from AND @upTo ORDER BY revision LIMIT @max",
            connection);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("upTo", upTo);
        command.Parameters.AddWithValue("max", max);
        var changes = new List<StoredChange>();
        await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            changes.Add(new StoredChange(
                rows.GetInt64(0),
                rows.GetString(1),
                (ChangeKind)rows.GetInt32(2),
                rows.GetString(3),
                Columns.StringOrNull(rows, 4) is { } json ? RequestRows.FromJson(json) : null));
        }
        return changes;
    }

    /// <summary>Appends a change to the log inside the writer's transaction.</summary>
    public static async Task InsertChangeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long revision, ChangeKind kind,
        string requestId, string actor, SealedRequest? request, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO changes (revision, request_id, kind, actor, request) VALUES (@revision, @id, @kind, @actor, @request)",
            connection, transaction);
        command.Parameters.AddWithValue("revision", revision);
        command.Parameters.AddWithValue("id", requestId);
        command.Parameters.AddWithValue("kind", (int)kind);
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.Add(new NpgsqlParameter("request", NpgsqlTypes.NpgsqlDbType.Jsonb)
        {
            Value = request is null ? DBNull.Value : RequestRows.ToJson(request),
        });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
