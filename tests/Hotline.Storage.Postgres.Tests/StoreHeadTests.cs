using Npgsql;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>
/// The head row's promise to several servers: revisions committed through any of them are gap-free
/// and become visible in order, so a reader tailing the change log from its last revision never
/// passes one that commits later.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StoreHeadTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwoServersWritingBatches_ATailingReaderSeesEveryRevisionOnceInOrder_AndRollbacksLeaveNoGap()
    {
        var connectionString = postgres.Cluster.CreateDatabase();
        await using var serverA = NpgsqlDataSource.Create(connectionString);
        await using var serverB = NpgsqlDataSource.Create(connectionString);
        await using var reader = NpgsqlDataSource.Create(connectionString);
        await PostgresSchema.EnsureAsync(serverA, CancellationToken.None);
        await PostgresSchema.EnsureAsync(serverB, CancellationToken.None);

        using var deadline = new CancellationTokenSource(Timeout);
        const int WritersPerServer = 4;
        const int BatchesPerWriter = 40;
        var committed = 0L;
        var writers = new List<Task>();
        foreach (var (server, name) in new[] { (serverA, "a"), (serverB, "b") })
        {
            for (var w = 0; w < WritersPerServer; w++)
            {
                var seed = writers.Count;
                writers.Add(Task.Run(async () =>
                {
                    var random = new Random(seed);
                    for (var b = 0; b < BatchesPerWriter; b++)
                    {
                        var size = random.Next(1, 6);
                        var rollBack = random.Next(5) == 0;
                        await WriteBatchAsync(server, name, size, rollBack, deadline.Token);
                        if (!rollBack)
                        {
                            Interlocked.Add(ref committed, size);
                        }
                    }
                }, deadline.Token));
            }
        }

        var seen = new List<long>();
        var allWritten = Task.WhenAll(writers);
        var last = 0L;
        while (true)
        {
            var done = allWritten.IsCompleted;
            foreach (var revision in await ReadAfterAsync(reader, last, deadline.Token))
            {
                // The promise under test: the next revision a reader finds is always the one after the last it saw.
                Assert.Equal(last + 1, revision);
                seen.Add(revision);
                last = revision;
            }
            if (done)
            {
                break;
            }
        }
        await allWritten;

        Assert.Equal(Interlocked.Read(ref committed), seen.Count);
        await using var connection = await reader.OpenConnectionAsync(deadline.Token);
        var head = await StoreHead.ReadAsync(connection, deadline.Token);
        Assert.Equal(seen.Count, head.LastRevision);
    }

    /// <summary>One write transaction as a server's writer makes it: lock the head, take revisions, write, write the head back.</summary>
    private static async Task WriteBatchAsync(NpgsqlDataSource server, string name, int size, bool rollBack, CancellationToken cancellationToken)
    {
        await using var connection = await server.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var head = await StoreHead.LockAsync(connection, transaction, cancellationToken);
        for (var i = 1; i <= size; i++)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO changes (revision, request_id, kind, actor) VALUES (@revision, @id, 1, @actor)", connection, transaction);
            insert.Parameters.AddWithValue("revision", head.LastRevision + i);
            insert.Parameters.AddWithValue("id", $"{name}-{head.LastRevision + i}");
            insert.Parameters.AddWithValue("actor", name);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await (head with { LastRevision = head.LastRevision + size }).WriteAsync(connection, transaction, cancellationToken);
        if (rollBack)
        {
            await transaction.RollbackAsync(cancellationToken);
            return;
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<List<long>> ReadAfterAsync(NpgsqlDataSource reader, long after, CancellationToken cancellationToken)
    {
        await using var connection = await reader.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT revision FROM changes WHERE revision > @after ORDER BY revision", connection);
        command.Parameters.AddWithValue("after", after);
        var found = new List<long>();
        await using var rows = await command.ExecuteReaderAsync(cancellationToken);
        while (await rows.ReadAsync(cancellationToken))
        {
            found.Add(rows.GetInt64(0));
        }
        return found;
    }
}
