using System.Data;
using Hotline.Domain;
using Hotline.Protection;
using Npgsql;

namespace Hotline.Storage.Postgres;

// Reads of single requests and list pages: found on the clear columns, then only what is returned is opened.
public sealed partial class PostgresRequestStore
{
    public async Task<HelpRequest?> GetAsync(string requestId, string reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentException.ThrowIfNullOrEmpty(reader);
        if (!RequestIds.IsWellFormed(requestId))
        {
            return null;
        }
        List<StoredRequest> rows;
        await using (var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            rows = await FeedReads.ReadByIdsAsync(connection, [requestId], cancellationToken).ConfigureAwait(false);
        }
        var found = OpenAll(rows).SingleOrDefault();
        if (found is not null)
        {
            await _writes.AuditReadAsync(reader, AuditAction.Read, [found.Id], cancellationToken).ConfigureAwait(false);
        }
        return found;
    }

    public async Task<RequestOutline?> OutlineAsync(string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        if (!RequestIds.IsWellFormed(requestId))
        {
            return null;
        }
        await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT id, number, state, create_ticks, close_ticks, assignee FROM requests WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", requestId);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadOutline(row) : null;
    }

    /// <summary>Through the partial index on close times: costs the requests it counts.</summary>
    public async Task<int> CountClosedBeforeAsync(DateTimeOffset closedBefore, CancellationToken cancellationToken)
    {
        await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM requests WHERE state = @closed AND close_ticks < @cutoff", connection);
        command.Parameters.AddWithValue("closed", (int)RequestState.Closed);
        command.Parameters.AddWithValue("cutoff", closedBefore.UtcTicks);
        return checked((int)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
    }

    /// <summary>
    /// The page is one query (<see cref="ListSql.Page"/>): a range scan of the order's index from the
    /// page token, the page and one more row, with their wrapped data keys; only those are opened.
    /// The page and its revision come from one REPEATABLE READ snapshot. The total is counted when the
    /// page holds every match (a first page that is also the last), and when the filter keeps only open
    /// states (the working set, which a watch snapshot reads whole anyway); otherwise counting would
    /// read every match, and it is left out.
    /// </summary>
    public async Task<RequestPage> ListAsync(RequestQuery query, string reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(reader);
        var limit = Math.Max(query.Limit, 0);
        var states = query.PossibleStates();
        RequestPage page;
        await _scans.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            var head = await StoreHead.ReadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            var rows = new List<StoredRequest>();
            int? total = 0;
            if (states is not { Count: 0 })
            {
                await using (var command = ListSql.Page(query, connection, transaction))
                {
                    await using var found = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await found.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        rows.Add(ReadStored(found));
                    }
                }
                total = null;
                if (query.After is null && rows.Count <= limit)
                {
                    total = rows.Count;
                }
                else if (states is not null && states.All(s => s != RequestState.Closed))
                {
                    await using var count = ListSql.Count(query, connection, transaction);
                    total = checked((int)(long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
                }
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            var onPage = rows.Take(limit).ToList();
            ListPosition? next = rows.Count > limit && onPage.Count > 0 ? ListPosition.Of(onPage[^1].Request.Envelope) : null;
            page = new RequestPage(OpenAll(onPage), total, head.LastRevision, next);
        }
        finally
        {
            _scans.Release();
        }
        await _writes.AuditReadAsync(reader, AuditAction.Listed, [.. page.Requests.Select(r => r.Id)], cancellationToken).ConfigureAwait(false);
        return page;
    }

    /// <summary>
    /// The requester's other requests, newest first, through the index on (requester, number): the
    /// page and one more row, and a count over the same index. Costs this requester's contacts, never the store.
    /// </summary>
    public async Task<RequestPage> ListRelatedAsync(string requestId, string reader, long? beforeNumber, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentException.ThrowIfNullOrEmpty(reader);
        if (!RequestIds.IsWellFormed(requestId))
        {
            DomainException.ThrowRequestNotFound(requestId);
        }
        limit = Math.Max(limit, 0);
        RequestPage page;
        await using (var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false))
        {
            var head = await StoreHead.ReadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            string submittedBy;
            byte[]? requester;
            await using (var find = new NpgsqlCommand(
                "SELECT r.submitted_by, r.requester FROM requests r JOIN data_keys k ON k.request_id = r.id WHERE r.id = @id", connection, transaction))
            {
                find.Parameters.AddWithValue("id", requestId);
                await using var row = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await row.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    DomainException.ThrowRequestNotFound(requestId);
                }
                (submittedBy, requester) = ReadSubmitter(row);
            }
            if (string.Equals(submittedBy, reader, StringComparison.Ordinal))
            {
                throw DomainException.OwnSubmission(requestId);
            }
            var rows = new List<StoredRequest>();
            var total = 0;
            if (requester is not null)
            {
                await using (var related = new NpgsqlCommand(
                    "SELECT " + RequestRows.Columns + ", k.wrapped FROM requests r LEFT JOIN data_keys k ON k.request_id = r.id "
                    + "WHERE r.requester = @requester AND r.id <> @id AND r.number < @before ORDER BY r.number DESC LIMIT @limit",
                    connection, transaction))
                {
                    related.Parameters.AddWithValue("requester", requester);
                    related.Parameters.AddWithValue("id", requestId);
                    related.Parameters.AddWithValue("before", beforeNumber ?? long.MaxValue);
                    related.Parameters.AddWithValue("limit", (long)limit + 1);
                    await using var found = await related.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await found.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        rows.Add(ReadStored(found));
                    }
                }
                await using var count = new NpgsqlCommand("SELECT count(*) FROM requests WHERE requester = @requester AND id <> @id", connection, transaction);
                count.Parameters.AddWithValue("requester", requester);
                count.Parameters.AddWithValue("id", requestId);
                total = checked((int)(long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            var onPage = rows.Take(limit).ToList();
            ListPosition? next = rows.Count > limit && onPage.Count > 0
                ? new ListPosition(Urgency.Unspecified, default, default, onPage[^1].Request.Envelope.Number)
                : null;
            page = new RequestPage(OpenAll(onPage), total, head.LastRevision, next);
        }
        await _writes.AuditReadAsync(reader, AuditAction.Listed, [.. page.Requests.Select(r => r.Id)], cancellationToken).ConfigureAwait(false);
        return page;
    }

    /// <summary>
    /// Opens each stored request under its data key, in order, leaving out those whose key is gone
    /// (being purged). Holds the vault's keys only while it opens: a lockdown waits for it, then erases them.
    /// </summary>
    private List<HelpRequest> OpenAll(IReadOnlyList<StoredRequest> stored)
    {
        var opened = new List<HelpRequest>(stored.Count);
        if (stored.Count == 0)
        {
            return opened;
        }
        using var keys = Vault.Enter(write: false);
        foreach (var (request, wrapped) in stored)
        {
            using var sealer = RequestSealer.ForWrapped(keys.Ring, request.Envelope.Id, wrapped);
            if (sealer is not null)
            {
                opened.Add(request.Open(sealer, request.Envelope.EarlierContacts));
            }
        }
        return opened;
    }

    private static StoredRequest ReadStored(NpgsqlDataReader row) =>
        new(RequestRows.Read(row), Columns.BytesOrNull(row, RequestRows.ColumnCount));

    private static (string SubmittedBy, byte[]? Requester) ReadSubmitter(NpgsqlDataReader row) => (row.GetString(0), Columns.BytesOrNull(row, 1));

    private static RequestOutline ReadOutline(NpgsqlDataReader row) => new(
        row.GetString(0),
        row.GetInt64(1),
        (RequestState)row.GetInt32(2),
        RequestRows.Utc(row.GetInt64(3)),
        Columns.Int64OrNull(row, 4) is { } closed ? RequestRows.Utc(closed) : null,
        Columns.StringOrNull(row, 5));
}
