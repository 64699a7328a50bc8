using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Protection;
using Npgsql;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>The audit chain kept in PostgreSQL reads back as written, verifies, and shows an edit or a deletion made in the table.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AuditRowsTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AChainWrittenToTheTable_ReadsBackExactly_AndVerifies()
    {
        using var ring = KeyRing.Derive(RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength));
        await using var data = await NewDatabaseAsync();
        var written = await WriteChainAsync(data, ring, 12);

        var read = await ReadAllAsync(data);
        var verification = AuditChain.Verify(ring, read, written[^1].Sequence, written[^1].Hash.Span, CancellationToken.None);

        Assert.True(verification.Intact, verification.Detail);
        Assert.Equal(written.Count, verification.RecordsChecked);
        for (var i = 0; i < written.Count; i++)
        {
            var back = read[i].Record!;
            Assert.Equal(written[i] with { RequestIds = [], PreviousHash = default, Hash = default },
                back with { RequestIds = [], PreviousHash = default, Hash = default });
            Assert.Equal(written[i].RequestIds, back.RequestIds);
            Assert.Equal(written[i].Hash.ToArray(), back.Hash.ToArray());
        }
    }

    [Theory]
    [InlineData("UPDATE audit SET actor = 'someone-else' WHERE sequence = 5", AuditChainProblem.RecordAltered, 5)]
    [InlineData("UPDATE audit SET request_ids = request_ids[1:2] WHERE sequence = 4", AuditChainProblem.RecordAltered, 4)]
    [InlineData("DELETE FROM audit WHERE sequence = 7", AuditChainProblem.RecordMissing, 7)]
    [InlineData("DELETE FROM audit WHERE sequence > 9", AuditChainProblem.ChainTruncated, 10)]
    public async Task AnEditInTheTable_IsFoundWhereItWasMade(string tampering, AuditChainProblem problem, long at)
    {
        using var ring = KeyRing.Derive(RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength));
        await using var data = await NewDatabaseAsync();
        var written = await WriteChainAsync(data, ring, 12);
        await using (var connection = await data.OpenConnectionAsync())
        await using (var tamper = new NpgsqlCommand(tampering, connection))
        {
            await tamper.ExecuteNonQueryAsync();
        }

        var verification = AuditChain.Verify(ring, await ReadAllAsync(data), written[^1].Sequence, written[^1].Hash.Span, CancellationToken.None);

        Assert.False(verification.Intact);
        Assert.Equal(problem, verification.Problem);
        Assert.Equal(at, verification.Position);
    }

    private async Task<NpgsqlDataSource> NewDatabaseAsync()
    {
        var data = NpgsqlDataSource.Create(postgres.Cluster.CreateDatabase());
        await PostgresSchema.EnsureAsync(data, CancellationToken.None);
        return data;
    }

    /// <summary>Every kind of record: request changes, list reads naming several requests, an account change, a watch stream's records.</summary>
    private static async Task<List<AuditRecord>> WriteChainAsync(NpgsqlDataSource data, KeyRing ring, int count)
    {
        var records = new List<AuditRecord>();
        var previous = AuditChain.GenesisHash.ToArray();
        await using var connection = await data.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        for (var sequence = 1L; sequence <= count; sequence++)
        {
            var time = Start.AddTicks(sequence * 12_345_678);
            var id = RequestIds.New(time);
            var record = (sequence % 4) switch
            {
                0 => AuditChain.Create(ring, sequence, time, "anna", AuditAction.Listed, [id, RequestIds.New(time), RequestIds.New(time)], previous),
                1 => AuditChain.Create(ring, sequence, time, "web-form", AuditAction.Submitted, [id], previous, revision: sequence),
                2 => AuditChain.Create(ring, sequence, time, "admin", AuditAction.OperatorAdded, [], previous, operatorId: "boris"),
                _ => AuditChain.Create(ring, sequence, time, "anna", AuditAction.Watched, [], previous,
                    watch: new WatchMark(sequence, sequence - 1, sequence - 1, sequence % 8 == 3 ? time.AddDays(-1) : null, Ended: false)),
            };
            await AuditRows.InsertAsync(connection, transaction, record, CancellationToken.None);
            records.Add(record);
            previous = record.Hash.ToArray();
        }
        await transaction.CommitAsync();
        return records;
    }

    private static async Task<List<StoredAuditRecord>> ReadAllAsync(NpgsqlDataSource data)
    {
        await using var connection = await data.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT " + AuditRows.Columns + " FROM audit ORDER BY sequence", connection);
        var read = new List<StoredAuditRecord>();
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            read.Add(AuditRows.ReadStored(rows));
        }
        return read;
    }
}
