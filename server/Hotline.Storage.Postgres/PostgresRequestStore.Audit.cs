using Hotline.Domain;
using Hotline.Protection;
using Npgsql;

namespace Hotline.Storage.Postgres;

// The audit trail: records listed by sequence or by request, and the chain verified through AuditChain.
public sealed partial class PostgresRequestStore : IAuditTrail
{
    /// <summary>Audit records read per query while verifying: memory follows this, not the trail.</summary>
    private const int VerifyChunk = 1_000;

    private const string WatchColumns = "sequence, watch_stream, watch_from, watch_through, watch_closed_since, watch_ended";

    /// <summary>
    /// By sequence: a range of the primary key. By request: the records naming it through the GIN index
    /// on <c>request_ids</c> (<c>request_ids @&gt; ARRAY[id]</c>), which costs the request's own records,
    /// plus the WATCHED records of the streams that could have sent it (<see cref="StreamExposure"/>),
    /// found through the indexes on the audit table's watch columns.
    /// </summary>
    public async Task<AuditPage> ListAuditAsync(string? requestId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        List<AuditRecord> records;
        if (requestId is null)
        {
            await using var command = new NpgsqlCommand(
                "SELECT " + AuditRows.Columns + " FROM audit WHERE sequence > @after ORDER BY sequence LIMIT @limit", connection);
            command.Parameters.AddWithValue("after", afterSequence);
            command.Parameters.AddWithValue("limit", (long)limit + 1);
            records = await ReadAuditAsync(command, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            List<AuditRecord> own;
            await using (var command = new NpgsqlCommand(
                "SELECT " + AuditRows.Columns + " FROM audit WHERE request_ids @> ARRAY[@id]::text[] ORDER BY sequence", connection))
            {
                command.Parameters.AddWithValue("id", requestId);
                own = await ReadAuditAsync(command, cancellationToken).ConfigureAwait(false);
            }
            var streams = await StreamsThatCouldHaveSentAsync(connection, own, cancellationToken).ConfigureAwait(false);
            records = [.. own.Concat(streams)
                .Where(r => r.Sequence > afterSequence)
                .OrderBy(r => r.Sequence)
                .Take(limit + 1)];
        }
        return AuditPage.FromOneMore(records, limit);
    }

    public async Task<AuditVerification> VerifyAuditAsync(CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(cancellationToken).ConfigureAwait(false);
        // The key lease is a lock of one thread: taken and released on the thread that verifies.
        return await Task.Run(() =>
        {
            using var keys = Vault.Enter(write: false);
            return AuditChain.Verify(keys.Ring, AuditInOrder(cancellationToken), head.AuditSequence, head.AuditHead, cancellationToken);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AuditVerification> VerifyAuditAsync(ReadOnlyMemory<byte> masterKey, CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(cancellationToken).ConfigureAwait(false);
        int awaiting;
        await using (var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM deferred_account_audit", connection))
        {
            awaiting = checked((int)(long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
        }
        using var ring = Vault.Verify(masterKey.Span);
        var verification = await Task.Run(() => AuditChain.Verify(ring, AuditInOrder(cancellationToken), head.AuditSequence, head.AuditHead,
            cancellationToken), cancellationToken).ConfigureAwait(false);
        return verification with { AccountChangesAwaitingUnlock = awaiting };
    }

    /// <summary>The head read first: records committed after it only make the chain longer, never shorter.</summary>
    private async Task<StoreHead> ReadHeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await StoreHead.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every audit record in sequence order, <see cref="VerifyChunk"/> at a time, each chunk its own
    /// query on one connection. Synchronous, for <see cref="AuditChain.Verify"/>, which takes an
    /// enumerable; run off the request's thread.
    /// </summary>
    private IEnumerable<StoredAuditRecord> AuditInOrder(CancellationToken cancellationToken)
    {
        using var connection = _data.OpenConnection();
        var after = long.MinValue;
        while (true)
        {
            var chunk = new List<StoredAuditRecord>(VerifyChunk);
            using (var command = new NpgsqlCommand("SELECT " + AuditRows.Columns + " FROM audit WHERE sequence > @after ORDER BY sequence LIMIT @limit", connection))
            {
                command.Parameters.AddWithValue("after", after);
                command.Parameters.AddWithValue("limit", (long)VerifyChunk);
                using var rows = command.ExecuteReader();
                while (rows.Read())
                {
                    chunk.Add(AuditRows.ReadStored(rows));
                }
            }
            foreach (var record in chunk)
            {
                yield return record;
            }
            if (chunk.Count < VerifyChunk)
            {
                yield break;
            }
            cancellationToken.ThrowIfCancellationRequested();
            after = chunk[^1].Sequence ?? after;
        }
    }

    /// <summary>
    /// The WATCHED records of the streams that could have sent the request whose own records are
    /// <paramref name="own"/> (see <see cref="StreamExposure"/>), each with how far it got: records whose
    /// <c>watch_through</c> lies within <see cref="WatchAudit.RevisionsPerRecord"/> below each change (the
    /// streams running then); snapshots read at a revision while the request was open; snapshots whose
    /// closed window began at most the widest window recorded before one of its closes. Every lookup is
    /// a range of one of the audit table's partial indexes on its watch columns, so the cost follows the
    /// request's own records and the streams around them, not the length of the trail. Records always
    /// carry their revision in this store, so nothing counts as unrevisioned.
    /// </summary>
    private static async Task<List<AuditRecord>> StreamsThatCouldHaveSentAsync(NpgsqlConnection connection, IReadOnlyList<AuditRecord> own,
        CancellationToken cancellationToken)
    {
        if (own.Count == 0)
        {
            return [];
        }
        var exposure = StreamExposure.Of(own, unrevisionedThrough: 0);
        var around = new Dictionary<long, List<(long Sequence, WatchMark Mark)>>();
        foreach (var span in exposure.MarkRangesForChanges())
        {
            var marks = await ReadMarksAsync(connection,
                "watch_stream IS NOT NULL AND watch_through BETWEEN @from AND @to", span.From, span.Until - 1, cancellationToken).ConfigureAwait(false);
            foreach (var (sequence, mark) in marks)
            {
                if (!around.TryGetValue(mark.Stream, out var records))
                {
                    around[mark.Stream] = records = [];
                }
                records.Add((sequence, mark));
            }
        }
        var streams = new HashSet<long>(around.Where(stream => exposure.CouldHaveSent(stream.Value)).Select(stream => stream.Key));
        var snapshots = new List<(long Sequence, WatchMark Mark)>();
        foreach (var span in exposure.OpenSpans.Where(span => span.From < span.Until))
        {
            snapshots.AddRange(await ReadMarksAsync(connection,
                "watch_closed_since IS NOT NULL AND watch_from BETWEEN @from AND @to", span.From, span.Until - 1, cancellationToken).ConfigureAwait(false));
        }
        if (exposure.ClosedSpans.Count > 0)
        {
            var widest = await ReadWidestWindowAsync(connection, cancellationToken).ConfigureAwait(false);
            foreach (var span in exposure.ClosedSpans)
            {
                var closeTicks = span.CloseTime.UtcTicks;
                snapshots.AddRange(await ReadMarksAsync(connection,
                    "watch_closed_since IS NOT NULL AND watch_closed_since BETWEEN @from AND @to", Math.Max(0, closeTicks - widest.Ticks), closeTicks,
                    cancellationToken).ConfigureAwait(false));
            }
        }
        foreach (var (sequence, mark) in snapshots)
        {
            if (mark.SnapshotClosedSince is { } closedSince && exposure.InSnapshot(sequence, mark.FromRevision, closedSince))
            {
                streams.Add(sequence);
            }
        }
        var opened = new List<AuditRecord>(streams.Count);
        foreach (var stream in streams.Order())
        {
            // Shown from the chain: the opening record, and the stream's newest one for how far it got.
            await using var command = new NpgsqlCommand(
                "SELECT " + AuditRows.Columns + " FROM audit WHERE sequence = @stream "
                + "OR sequence = (SELECT max(sequence) FROM audit WHERE watch_stream = @stream) ORDER BY sequence",
                connection);
            command.Parameters.AddWithValue("stream", stream);
            var pair = await ReadAuditAsync(command, cancellationToken).ConfigureAwait(false);
            if (pair.Count > 0 && pair[0].Sequence == stream)
            {
                opened.Add(pair[0] with { Reached = pair[^1].Watch });
            }
        }
        return opened;
    }

    private static async Task<List<(long Sequence, WatchMark Mark)>> ReadMarksAsync(NpgsqlConnection connection, string condition, long from, long to,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT " + WatchColumns + " FROM audit WHERE " + condition, connection);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        var marks = new List<(long, WatchMark)>();
        await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            marks.Add(ReadMark(rows));
        }
        return marks;
    }

    private static (long Sequence, WatchMark Mark) ReadMark(NpgsqlDataReader row) => (
        row.GetInt64(0),
        new WatchMark(
            row.GetInt64(1),
            row.GetInt64(2),
            row.GetInt64(3),
            Columns.Int64OrNull(row, 4) is { } closedSince ? RequestRows.Utc(closedSince) : null,
            !row.IsDBNull(5) && row.GetBoolean(5)));

    private static async Task<TimeSpan> ReadWidestWindowAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT widest_window_ticks FROM watch_index WHERE id = 1", connection);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long ticks ? TimeSpan.FromTicks(ticks) : TimeSpan.Zero;
    }

    private static async Task<List<AuditRecord>> ReadAuditAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var records = new List<AuditRecord>();
        await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(AuditRows.Read(rows));
        }
        return records;
    }
}
