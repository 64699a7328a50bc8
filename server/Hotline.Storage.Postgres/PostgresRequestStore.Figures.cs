using System.Data;
using System.Runtime.CompilerServices;
using Hotline.Domain;
using Npgsql;

namespace Hotline.Storage.Postgres;

// Supervision figures and the monitoring report: read through the indexes on clear columns.
public sealed partial class PostgresRequestStore : IRequestFigures
{
    /// <summary>
    /// The open requests through the partial index of open requests (clear columns only), and the
    /// day's counts through the create, close and first-claim time indexes, all from one REPEATABLE
    /// READ snapshot: costs the open set and the day's traffic, never the closed history. Reads
    /// nothing sealed, so it works during a lockdown.
    /// </summary>
    public async Task<QueueFacts> ReadQueueAsync(DateTimeOffset dayStart, CancellationToken cancellationToken)
    {
        var since = dayStart.UtcTicks;
        await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var open = new List<OpenRequestFacts>();
        await using (var command = new NpgsqlCommand(
            "SELECT state, urgency, create_ticks, assignee, escalation_step, COALESCE((follow_up ->> 'due')::boolean, false) "
            + "FROM requests WHERE state <> 4", connection, transaction))
        await using (var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                open.Add(ReadOpenFacts(rows));
            }
        }
        var received = await CountAsync(connection, transaction, "SELECT count(*) FROM requests WHERE create_ticks >= @since", since, cancellationToken)
            .ConfigureAwait(false);
        var closed = await CountAsync(connection, transaction, "SELECT count(*) FROM requests WHERE close_ticks >= @since", since, cancellationToken)
            .ConfigureAwait(false);
        var times = new List<TimeSpan>();
        await using (var command = new NpgsqlCommand(
            "SELECT create_ticks, first_claim_ticks FROM requests WHERE first_claim_ticks >= @since", connection, transaction))
        {
            command.Parameters.AddWithValue("since", since);
            await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                times.Add(TimeToClaim(rows));
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new QueueFacts(open, dayStart, received, closed, times);
    }

    /// <summary>
    /// Walks the index on (create time, number) from <paramref name="from"/> a batch at a time, keyset
    /// on both, opening each request and keeping only its region and tags. A request purged between
    /// batches is left out. O(requests in the period) by nature; memory is one batch.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<ReportFacts>> ReadReportFactsAsync(DateTimeOffset from, DateTimeOffset until, int batchSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var afterTicks = from.UtcTicks;
        var afterNumber = long.MinValue;
        while (true)
        {
            if (Vault.IsLocked)
            {
                throw DomainException.LockedDown(write: false);
            }
            var rows = new List<StoredRequest>();
            await _scans.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    "SELECT " + RequestRows.Columns + ", k.wrapped FROM requests r LEFT JOIN data_keys k ON k.request_id = r.id "
                    + "WHERE (r.create_ticks, r.number) > (@ticks, @number) AND r.create_ticks < @until ORDER BY r.create_ticks, r.number LIMIT @limit",
                    connection);
                command.Parameters.AddWithValue("ticks", afterTicks);
                command.Parameters.AddWithValue("number", afterNumber);
                command.Parameters.AddWithValue("until", until.UtcTicks);
                command.Parameters.AddWithValue("limit", (long)batchSize);
                await using var found = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await found.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(ReadStored(found));
                }
            }
            finally
            {
                _scans.Release();
            }
            if (rows.Count == 0)
            {
                yield break;
            }
            var last = rows[^1].Request.Envelope;
            afterTicks = last.CreateTime.UtcTicks;
            afterNumber = last.Number;
            var facts = OpenAll(rows).Select(r => new ReportFacts(r.CreateTime, r.Region, r.Tags, r.Channel, r.Urgency,
                r.State == RequestState.Closed ? r.Resolution : Resolution.Unspecified)).ToList();
            if (facts.Count > 0)
            {
                yield return facts;
            }
            if (rows.Count < batchSize)
            {
                yield break;
            }
        }
    }

    public Task RecordReportAsync(string reader, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reader);
        return _writes.AuditReadAsync(reader, AuditAction.Reported, [], cancellationToken);
    }

    private static async Task<int> CountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, long since,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("since", since);
        return checked((int)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
    }

    private static OpenRequestFacts ReadOpenFacts(NpgsqlDataReader row) => new(
        (RequestState)row.GetInt32(0),
        (Urgency)row.GetInt32(1),
        RequestRows.Utc(row.GetInt64(2)),
        Columns.StringOrNull(row, 3),
        row.GetInt32(4),
        row.GetBoolean(5));

    private static TimeSpan TimeToClaim(NpgsqlDataReader row) => TimeSpan.FromTicks(Math.Max(0, row.GetInt64(1) - row.GetInt64(0)));
}
