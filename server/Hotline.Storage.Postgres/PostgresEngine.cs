using System.Net.Sockets;
using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>
/// The PostgreSQL store's <see cref="IStoreEngine"/>: the transactions of this server's writer, on
/// one connection it keeps open (taken again after a failure). Several servers write the same
/// database, so the counters are never the writer's own: each transaction begins by locking the
/// <c>head</c> row (<see cref="PostgresSchema"/>) and builds on what it holds, which serialises
/// every server's commits into one revision order and one audit chain. A transaction that appended
/// changes sends a wake-up carrying its last revision (<see cref="ChangeWakeups"/>), delivered
/// by PostgreSQL only if it commits; one that wrote an account or the lock state sends one
/// carrying the new security version (<see cref="SharedSecurityState"/>). A commit is durable once it returns (synchronous_commit is
/// left on), so there is nothing to flush.
/// </summary>
internal sealed class PostgresEngine(NpgsqlDataSource dataSource) : IStoreEngine, IDisposable
{
    private const string LockHead =
        "SELECT last_revision, next_number, compacted_through, audit_sequence, audit_head FROM head WHERE id = 1 FOR UPDATE";

    private const string ReadHead =
        "SELECT last_revision, next_number, compacted_through, audit_sequence, audit_head FROM head WHERE id = 1";

    private readonly PostgresRows _rows = new();
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    public IStoreRows Rows => _rows;

    public StoreCounters Begin(StoreCounters held)
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("The writer still has a transaction open.");
        }
        _connection ??= dataSource.OpenConnection();
        _transaction = _connection.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
        _rows.Begin(_connection, _transaction);
        using var command = new NpgsqlCommand(LockHead, _connection, _transaction);
        return ReadCounters(command);
    }

    public void Commit()
    {
        var transaction = _transaction ?? throw new InvalidOperationException("No write transaction is open.");
        if (_rows.RevisionWritten is { } revision)
        {
            var notify = new NpgsqlBatchCommand(ChangeWakeups.NotifySql);
            notify.Parameters.AddWithValue("revision", revision);
            _rows.Defer(notify);
        }
        if (_rows.SecurityVersionWritten is { } version)
        {
            var notify = new NpgsqlBatchCommand(SharedSecurityState.NotifySql);
            notify.Parameters.AddWithValue("version", version);
            _rows.Defer(notify);
        }
        // The batch's last writes and its wake-ups go in one round trip; a failure among them throws
        // here, before the commit, and the writer rolls the batch back.
        _rows.SendPending();
        transaction.Commit();
        EndTransaction();
    }

    /// <summary>
    /// A read-only transaction of its own, without the head row: another server may change the rows
    /// as soon as it ends, so a purge checks again under the lock what it selected here.
    /// </summary>
    public T Read<T>(Func<IStoreRows, T> read)
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("The writer still has a transaction open.");
        }
        _connection ??= dataSource.OpenConnection();
        _transaction = _connection.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
        _rows.Begin(_connection, _transaction);
        try
        {
            var result = read(_rows);
            _rows.SendPending();
            _transaction.Commit();
            return result;
        }
        catch
        {
            RollBack();
            throw;
        }
        finally
        {
            EndTransaction();
        }
    }

    /// <summary>
    /// Rolls back on the connection when it still answers. When it does not, the server has rolled
    /// the transaction back itself (a transaction never outlives its connection), so the connection
    /// is dropped and the next transaction takes a new one: unlike LiteDB's, a failed rollback here
    /// never leaves a half-done transaction behind, and never stops the writer.
    /// </summary>
    public void RollBack()
    {
        try
        {
            _transaction?.Rollback();
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException or SocketException)
        {
            DropConnection();
        }
        finally
        {
            EndTransaction();
        }
        if (_connection is { State: not System.Data.ConnectionState.Open })
        {
            DropConnection();
        }
    }

    /// <summary>A commit is durable when PostgreSQL answers it.</summary>
    public void Flush()
    {
    }

    public bool CheckpointDue => false;

    /// <summary>PostgreSQL keeps its own write-ahead log and checkpoints; copies go through pg_dump or its backups.</summary>
    public void Checkpoint()
    {
    }

    public StoreCounters ReadCounters()
    {
        using var connection = dataSource.OpenConnection();
        using var command = new NpgsqlCommand(ReadHead, connection);
        return ReadCounters(command);
    }

    /// <summary>
    /// PostgreSQL out of resources (class 53: disk full, out of memory, too many connections), a
    /// connection lost or refused (class 08, or the socket under it), the server shutting down or
    /// restarting (57P) or an I/O error on its side (58): the database refused, the write was not wrong.
    /// </summary>
    public bool IsStorageRefusal(Exception exception)
    {
        for (Exception? cause = exception; cause is not null; cause = cause.InnerException)
        {
            switch (cause)
            {
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("53", StringComparison.Ordinal)
                        || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
                        || postgres.SqlState.StartsWith("58", StringComparison.Ordinal);
                case NpgsqlException { IsTransient: true }:
                case IOException:
                case SocketException:
                case TimeoutException:
                    return true;
            }
        }
        return false;
    }

    public void Dispose() => DropConnection();

    private static StoreCounters ReadCounters(NpgsqlCommand command)
    {
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw new InvalidOperationException("The head row is missing: the schema was not created.");
        }
        return new StoreCounters(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), (byte[])reader.GetValue(4));
    }

    private void EndTransaction()
    {
        _transaction?.Dispose();
        _transaction = null;
        _rows.End();
    }

    private void DropConnection()
    {
        _transaction = null;
        _connection?.Dispose();
        _connection = null;
    }
}
