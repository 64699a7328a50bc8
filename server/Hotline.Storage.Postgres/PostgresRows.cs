using System.Runtime.ExceptionServices;
using Hotline.Domain;
using Hotline.Protection;
using Npgsql;
using NpgsqlTypes;

namespace Hotline.Storage.Postgres;

/// <summary>
/// The PostgreSQL store's <see cref="IStoreRows"/>: the tables of <see cref="PostgresSchema"/>, read
/// and written with synchronous commands on the writer's connection, inside the transaction
/// <see cref="PostgresEngine"/> began by locking the head row. That lock orders every server's write
/// transactions, and each statement of a READ COMMITTED transaction sees what was committed before it
/// ran, so a command is decided against the current row, whichever server wrote it last. The write
/// is then a conditional update on the revision it was decided against: were the lock ever bypassed,
/// the update finds nothing and the batch rolls back instead of overwriting someone else's change.
/// Used by the writer thread only.
/// <para>
/// Writes whose outcome nothing reads (inserts, upserts) are not sent one by one: they wait in a
/// pending list and go in one round trip with the next statement that needs an answer, or with
/// the commit (<see cref="SendPending"/>). PostgreSQL runs them in order, before that statement,
/// so every read still sees them. When a batch fails, the transaction is aborted whatever
/// statement failed, so the failure is kept and thrown again by every later statement and by the
/// commit: a write that catches a failed read as its own refusal cannot let the batch commit
/// without what was lost; the writer rolls the whole batch back, as when each write ran alone.
/// </para>
/// </summary>
internal sealed class PostgresRows : IStoreRows
{
    /// <summary>The revision each request was at when this transaction read or wrote it; what its next update expects.</summary>
    private readonly Dictionary<string, long> _revisions = new(StringComparer.Ordinal);
    private readonly List<NpgsqlBatchCommand> _pending = [];
    private ExceptionDispatchInfo? _failure;
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    /// <summary>The highest revision this transaction appended, for the wake-up sent with its commit; null when none.</summary>
    public long? RevisionWritten { get; private set; }

    /// <summary>The security version this transaction raised to (an account write or a lock change), for the wake-up sent with its commit; null when none.</summary>
    public long? SecurityVersionWritten { get; private set; }

    private NpgsqlConnection Connection => _connection ?? throw new InvalidOperationException("No write transaction is open.");

    /// <summary>Binds the rows to the transaction the engine just began.</summary>
    public void Begin(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
        _revisions.Clear();
        _pending.Clear();
        _failure = null;
        RevisionWritten = null;
        SecurityVersionWritten = null;
    }

    public void End()
    {
        _connection = null;
        _transaction = null;
        _revisions.Clear();
        _pending.Clear();
        _failure = null;
    }

    /// <summary>Round trips this transaction made to the database; what batching saves is visible here.</summary>
    public int RoundTrips { get; private set; }

    /// <summary>Adds a statement whose result is not needed to the list sent before the next one that is.</summary>
    public void Defer(NpgsqlBatchCommand statement)
    {
        ThrowIfFailed();
        _pending.Add(statement);
    }

    /// <summary>Sends the deferred statements now, in one round trip: before the commit, or before a statement run on its own.</summary>
    public void SendPending()
    {
        ThrowIfFailed();
        if (_pending.Count > 0)
        {
            Run(statement: null);
        }
    }

    public HelpRequest? FindRequest(string requestId, Func<string, byte[]?> dataKey)
    {
        SealedRequest? found = null;
        var select = new NpgsqlBatchCommand("SELECT " + RequestRows.Columns + " FROM requests r WHERE r.id = @id");
        select.Parameters.AddWithValue("id", requestId);
        Query(select, reader =>
        {
            if (reader.Read())
            {
                found = RequestRows.Read(reader);
            }
        });
        if (found is null || dataKey(requestId) is not { } key)
        {
            return null;
        }
        _revisions[requestId] = found.Envelope.Revision;
        using var sealer = new RequestSealer(requestId, key);
        return found.Open(sealer, found.Envelope.EarlierContacts);
    }

    /// <summary>
    /// Goes with the deferred writes, after them, in one round trip: the check of a freshly drawn id
    /// (or of a request about to be purged) sees every row this transaction has written so far.
    /// </summary>
    public bool RequestExists(string requestId)
    {
        var select = new NpgsqlBatchCommand("SELECT 1 FROM requests WHERE id = @id");
        select.Parameters.AddWithValue("id", requestId);
        var exists = false;
        Query(select, reader => exists = reader.Read());
        return exists;
    }

    public bool IsRequest(string requestId) => RequestExists(requestId);

    public int CountEarlierContacts(byte[]? pseudonym, long number)
    {
        if (pseudonym is null || number <= 1)
        {
            return 0;
        }
        var count = new NpgsqlBatchCommand(
            "SELECT count(*) FROM (SELECT 1 FROM requests WHERE requester = @requester AND number < @number LIMIT @cap) earlier");
        count.Parameters.AddWithValue("requester", pseudonym);
        count.Parameters.AddWithValue("number", number);
        count.Parameters.AddWithValue("cap", EarlierContacts.Cap);
        var earlier = 0L;
        Query(count, reader =>
        {
            reader.Read();
            earlier = reader.GetInt64(0);
        });
        return checked((int)earlier);
    }

    public void WriteChange(RequestChange change, RequestSealer sealer, byte[]? pseudonym)
    {
        var request = change.Request ?? throw new ArgumentException("A change that stores a request carries it.", nameof(change));
        var sealedRequest = SealedRequest.Seal(request, sealer);
        if (change.Kind == ChangeKind.Created)
        {
            Defer(RequestRows.InsertStatement(sealedRequest, pseudonym));
        }
        else
        {
            if (!_revisions.TryGetValue(request.Id, out var expected))
            {
                throw new InvalidOperationException("A request is changed only after the batch has read it.");
            }
            if (Run(RequestRows.UpdateIfAtStatement(sealedRequest, pseudonym, expected)) != 1)
            {
                throw new InvalidOperationException(
                    $"Request {request.Id} moved past revision {expected} under a write transaction that holds the head row.");
            }
        }
        _revisions[request.Id] = change.Revision;
        InsertChange(change, sealedRequest);
    }

    public void AppendDeletion(RequestChange change) => InsertChange(change, sealedRequest: null);

    public IReadOnlyList<string> RemoveRequest(string requestId)
    {
        long number = 0;
        byte[]? requester = null;
        var removed = false;
        using (var command = Command("DELETE FROM requests WHERE id = @id RETURNING number, requester"))
        {
            command.Parameters.AddWithValue("id", requestId);
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                removed = true;
                number = reader.GetInt64(0);
                requester = Columns.BytesOrNull(reader, 1);
            }
        }
        _revisions.Remove(requestId);
        var recounted = removed && requester is not null ? RecountLaterContacts(requester, number) : [];
        Execute("DELETE FROM changes WHERE request_id = @id", requestId);
        Execute("DELETE FROM intake_keys WHERE request_id = @id", requestId);
        return recounted;
    }

    public IntakeReceipt? FindReceipt(string key)
    {
        var select = new NpgsqlBatchCommand("SELECT request_id, number, create_ticks FROM intake_keys WHERE key = @id");
        select.Parameters.AddWithValue("id", key);
        IntakeReceipt? found = null;
        Query(select, reader =>
        {
            if (reader.Read())
            {
                found = new IntakeReceipt(reader.GetString(0), reader.GetInt64(1), RequestRows.Utc(reader.GetInt64(2)), Duplicate: true);
            }
        });
        return found;
    }

    /// <summary>The key is the table's primary key: a second receipt under it fails the transaction, whatever server tries.</summary>
    public void InsertReceipt(string key, IntakeReceipt receipt)
    {
        var insert = new NpgsqlBatchCommand("INSERT INTO intake_keys (key, request_id, number, create_ticks) VALUES (@key, @request, @number, @ticks)");
        insert.Parameters.AddWithValue("key", key);
        insert.Parameters.AddWithValue("request", receipt.RequestId);
        insert.Parameters.AddWithValue("number", receipt.Number);
        insert.Parameters.AddWithValue("ticks", receipt.CreateTime.UtcTicks);
        Defer(insert);
    }

    public byte[]? FindWrappedDataKey(string requestId)
    {
        var select = new NpgsqlBatchCommand("SELECT wrapped FROM data_keys WHERE request_id = @id");
        select.Parameters.AddWithValue("id", requestId);
        byte[]? wrapped = null;
        Query(select, reader =>
        {
            if (reader.Read())
            {
                wrapped = (byte[])reader.GetValue(0);
            }
        });
        return wrapped;
    }

    public void InsertDataKey(string requestId, byte[] wrapped)
    {
        var insert = new NpgsqlBatchCommand("INSERT INTO data_keys (request_id, wrapped) VALUES (@id, @wrapped)");
        insert.Parameters.AddWithValue("id", requestId);
        insert.Parameters.AddWithValue("wrapped", wrapped);
        Defer(insert);
    }

    /// <summary>
    /// Deletes the wrapped key. The row's bytes stay in the table's file until vacuum reuses the
    /// space, and in the WAL and its archives for as long as those are kept: docs/security.md says
    /// what that means for backups. In the tables nothing reads it any more.
    /// </summary>
    public void DeleteDataKey(string requestId) => Execute("DELETE FROM data_keys WHERE request_id = @id", requestId);

    public OperatorRecord? FindOperator(string operatorId)
    {
        using var command = Command(
            "SELECT " + OperatorRows.Columns + " FROM operators WHERE id = @id");
        command.Parameters.AddWithValue("id", operatorId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? OperatorRows.Read(reader) : null;
    }

    /// <summary>
    /// Writes the account and raises the installation's security version in one statement, stamping
    /// the account with it: other servers find the write by asking for accounts past the version
    /// they last read (see <see cref="PostgresSchema"/>). The head row's lock, taken first by this
    /// transaction, orders the raises as it orders revisions.
    /// </summary>
    public void WriteOperator(OperatorRecord record)
    {
        using var command = Command(
            "WITH raised AS (UPDATE security SET security_version = security_version + 1 WHERE id = 1 RETURNING security_version) "
            + "INSERT INTO operators (id, display_name, role, disabled, token_hash, create_ticks, rotate_ticks, version, security_version) "
            + "SELECT @id, @name, @role, @disabled, @hash, @created, @rotated, @version, raised.security_version FROM raised "
            + "ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, role = excluded.role, disabled = excluded.disabled, "
            + "token_hash = excluded.token_hash, create_ticks = excluded.create_ticks, rotate_ticks = excluded.rotate_ticks, version = excluded.version, "
            + "security_version = excluded.security_version "
            + "RETURNING security_version");
        var parameters = command.Parameters;
        parameters.AddWithValue("id", record.Id);
        parameters.AddWithValue("name", record.Account.DisplayName);
        parameters.AddWithValue("role", (int)record.Account.Role);
        parameters.AddWithValue("disabled", record.Account.Disabled);
        parameters.Add(new NpgsqlParameter("hash", NpgsqlDbType.Bytea) { Value = (object?)record.TokenHash ?? DBNull.Value });
        parameters.AddWithValue("created", record.CreateTime.UtcTicks);
        parameters.Add(new NpgsqlParameter("rotated", NpgsqlDbType.Bigint) { Value = (object?)record.RotateTime?.UtcTicks ?? DBNull.Value });
        parameters.AddWithValue("version", record.Version);
        SecurityVersionWritten = command.ExecuteScalar() as long? ?? throw new InvalidOperationException("The security row is missing.");
    }

    public void AppendAudit(AuditRecord record) => Defer(AuditRows.InsertStatement(record));

    /// <summary>The stream index is the audit table's watch columns, written with the record; only the widest window is kept apart.</summary>
    public void AppendWatch(long sequence, WatchMark mark, TimeSpan? window)
    {
        if (window is not { } width)
        {
            return;
        }
        var upsert = new NpgsqlBatchCommand(
            "INSERT INTO watch_index (id, widest_window_ticks) VALUES (1, @width) "
            + "ON CONFLICT (id) DO UPDATE SET widest_window_ticks = GREATEST(watch_index.widest_window_ticks, excluded.widest_window_ticks)");
        upsert.Parameters.AddWithValue("width", width.Ticks);
        Defer(upsert);
    }

    public void DeferAccountAudit(DeferredAccountChange change)
    {
        var insert = new NpgsqlBatchCommand("INSERT INTO deferred_account_audit (ticks, actor, action, operator_id) VALUES (@ticks, @actor, @action, @operator)");
        insert.Parameters.AddWithValue("ticks", change.Time.UtcTicks);
        insert.Parameters.AddWithValue("actor", change.Actor);
        insert.Parameters.AddWithValue("action", (int)change.Action);
        insert.Parameters.AddWithValue("operator", change.OperatorId);
        Defer(insert);
    }

    public IReadOnlyList<DeferredAccountChange> TakeDeferredAccountAudits()
    {
        var taken = new List<DeferredAccountChange>();
        using (var command = Command("SELECT ticks, actor, action, operator_id FROM deferred_account_audit ORDER BY id"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                taken.Add(new DeferredAccountChange(RequestRows.Utc(reader.GetInt64(0)), reader.GetString(1), (AuditAction)reader.GetInt32(2),
                    reader.GetString(3)));
            }
        }
        if (taken.Count > 0)
        {
            using var delete = Command("DELETE FROM deferred_account_audit");
            delete.ExecuteNonQuery();
        }
        return taken;
    }

    public void SetLocked(bool locked)
    {
        using var command = Command("UPDATE security SET locked = @locked, security_version = security_version + 1 WHERE id = 1 RETURNING security_version");
        command.Parameters.AddWithValue("locked", locked);
        SecurityVersionWritten = command.ExecuteScalar() as long? ?? throw new InvalidOperationException("The security row is missing.");
    }

    public IReadOnlyList<string> FindClosedBefore(DateTimeOffset cutoff, int limit)
    {
        using var command = Command(
            "SELECT id FROM requests WHERE state = @closed AND close_ticks < @cutoff ORDER BY close_ticks, id LIMIT @limit");
        command.Parameters.AddWithValue("closed", (int)RequestState.Closed);
        command.Parameters.AddWithValue("cutoff", cutoff.UtcTicks);
        command.Parameters.AddWithValue("limit", (long)limit);
        return ReadIds(command);
    }

    public IReadOnlyList<string> ReadPurgesInProgress()
    {
        using var command = Command("SELECT request_id FROM purges_in_progress ORDER BY request_id");
        return ReadIds(command);
    }

    public void WritePurgesInProgress(IReadOnlyList<string> requestIds, string actor)
    {
        using var command = Command("INSERT INTO purges_in_progress (request_id, actor) SELECT unnest(@ids), @actor");
        command.Parameters.AddWithValue("ids", requestIds.ToArray());
        command.Parameters.AddWithValue("actor", actor);
        command.ExecuteNonQuery();
    }

    public void ClearPurgesInProgress()
    {
        using var command = Command("DELETE FROM purges_in_progress");
        command.ExecuteNonQuery();
    }

    public int DeleteChangesThrough(long revision)
    {
        using var command = Command("DELETE FROM changes WHERE revision <= @revision");
        command.Parameters.AddWithValue("revision", revision);
        return command.ExecuteNonQuery();
    }

    public void WriteCounters(StoreCounters counters, bool revisionChanged)
    {
        var update = new NpgsqlBatchCommand(
            "UPDATE head SET last_revision = @revision, next_number = @number, compacted_through = @compacted, "
            + "audit_sequence = @sequence, audit_head = @hash WHERE id = 1");
        update.Parameters.AddWithValue("revision", counters.LastRevision);
        update.Parameters.AddWithValue("number", counters.NextNumber);
        update.Parameters.AddWithValue("compacted", counters.CompactedThrough);
        update.Parameters.AddWithValue("sequence", counters.AuditSequence);
        update.Parameters.AddWithValue("hash", counters.AuditHead);
        if (Run(update) != 1)
        {
            throw new InvalidOperationException("The head row is missing: the schema was not created.");
        }
        if (revisionChanged)
        {
            RevisionWritten = counters.LastRevision;
        }
    }

    /// <summary>
    /// The requester's later requests counted the one just removed among their earlier contacts:
    /// count them again. Only the first <see cref="EarlierContacts.Cap"/> + 1 can change (every later
    /// one had at least the cap before and still has it), so a purge costs at most that many updates,
    /// whatever the requester's history. Their revisions do not move, as in the LiteDB store.
    /// </summary>
    private List<string> RecountLaterContacts(byte[] requester, long number)
    {
        var later = new List<(string Id, long Number)>();
        using (var command = Command("SELECT id, number FROM requests WHERE requester = @requester AND number > @number ORDER BY number LIMIT @limit"))
        {
            command.Parameters.AddWithValue("requester", requester);
            command.Parameters.AddWithValue("number", number);
            command.Parameters.AddWithValue("limit", (long)EarlierContacts.Cap + 1);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                later.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }
        foreach (var (id, laterNumber) in later)
        {
            using var update = Command("UPDATE requests SET earlier_contacts = @count WHERE id = @id");
            update.Parameters.AddWithValue("count", CountEarlierContacts(requester, laterNumber));
            update.Parameters.AddWithValue("id", id);
            update.ExecuteNonQuery();
        }
        return [.. later.Select(l => l.Id)];
    }

    private void InsertChange(RequestChange change, SealedRequest? sealedRequest)
    {
        var insert = new NpgsqlBatchCommand("INSERT INTO changes (revision, request_id, kind, actor, request) VALUES (@revision, @id, @kind, @actor, @request)");
        insert.Parameters.AddWithValue("revision", change.Revision);
        insert.Parameters.AddWithValue("id", change.RequestId);
        insert.Parameters.AddWithValue("kind", (int)change.Kind);
        insert.Parameters.AddWithValue("actor", change.Actor);
        insert.Parameters.Add(new NpgsqlParameter("request", NpgsqlDbType.Jsonb)
        {
            Value = sealedRequest is null ? DBNull.Value : RequestRows.ToJson(sealedRequest),
        });
        Defer(insert);
    }

    /// <summary>A statement run on its own, after the deferred ones are sent (the command is made only when it is about to run).</summary>
    private NpgsqlCommand Command(string sql)
    {
        SendPending();
        RoundTrips++;
        return new NpgsqlCommand(sql, Connection, _transaction);
    }

    /// <summary>Sends the deferred statements and then <paramref name="statement"/>, if any, in one round trip; the rows it touched.</summary>
    private int Run(NpgsqlBatchCommand? statement)
    {
        ThrowIfFailed();
        using var batch = TakePending(statement);
        try
        {
            RoundTrips++;
            batch.ExecuteNonQuery();
        }
        catch (Exception ex)
        {
            _failure = ExceptionDispatchInfo.Capture(ex);
            throw;
        }
        return statement?.RecordsAffected ?? 0;
    }

    /// <summary>Sends the deferred statements and then <paramref name="select"/> in one round trip, and reads the select's rows.</summary>
    private void Query(NpgsqlBatchCommand select, Action<NpgsqlDataReader> read)
    {
        ThrowIfFailed();
        using var batch = TakePending(select);
        try
        {
            RoundTrips++;
            using var reader = batch.ExecuteReader();
            read(reader);
        }
        catch (Exception ex)
        {
            _failure = ExceptionDispatchInfo.Capture(ex);
            throw;
        }
    }

    private NpgsqlBatch TakePending(NpgsqlBatchCommand? last)
    {
        var batch = new NpgsqlBatch(Connection, _transaction);
        foreach (var statement in _pending)
        {
            batch.BatchCommands.Add(statement);
        }
        _pending.Clear();
        if (last is not null)
        {
            batch.BatchCommands.Add(last);
        }
        return batch;
    }

    /// <summary>After a failed round trip the transaction is aborted: nothing more may run in it, and the commit must not pretend otherwise.</summary>
    private void ThrowIfFailed() => _failure?.Throw();

    private void Execute(string sql, string id)
    {
        using var command = Command(sql);
        command.Parameters.AddWithValue("id", id);
        command.ExecuteNonQuery();
    }

    private static List<string> ReadIds(NpgsqlCommand command)
    {
        var ids = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }
}
