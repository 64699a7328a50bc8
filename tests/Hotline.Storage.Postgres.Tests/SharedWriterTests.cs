using System.Globalization;
using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Protection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>
/// The write core every store shares (<see cref="StoreWriter"/>, <see cref="WriteBatch"/>), on
/// PostgreSQL through <see cref="PostgresEngine"/> and <see cref="PostgresRows"/>, with two writers
/// on one database standing for two servers: revisions gap-free in commit order and one audit chain
/// whoever commits, idempotency and claims decided once across both, purges that leave nothing readable.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedWriterTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly OperatorAccount Intake = new("web-form", "Web form", Role.Intake);
    private static readonly OperatorAccount Supervisor = new("sup-1", "Supervisor", Role.Supervisor);

    [Fact]
    public async Task TwoServersSubmittingAtOnce_GetGapFreeRevisionsAndNumbers_AndOneIntactAuditChain()
    {
        var masterKey = RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength);
        await using var database = await OpenDatabaseAsync();
        using var serverA = new WriterServer(database, masterKey);
        using var serverB = new WriterServer(database, masterKey);
        using var deadline = new CancellationTokenSource(Timeout);
        const int PerServer = 150;

        var submits = new List<Task<IntakeReceipt>>();
        for (var i = 0; i < PerServer; i++)
        {
            // Two requesters, so earlier contacts are counted across what both servers stored.
            submits.Add(serverA.SubmitAsync(Submission("a-" + i, "@alpha" + (i % 2))));
            submits.Add(serverB.SubmitAsync(Submission("b-" + i, "@alpha" + (i % 2))));
        }
        var receipts = await Task.WhenAll(submits).WaitAsync(deadline.Token);

        Assert.All(receipts, r => Assert.False(r.Duplicate));
        Assert.Equal(Enumerable.Range(1, 2 * PerServer).Select(n => (long)n), receipts.Select(r => r.Number).Order());
        var changes = await ReadChangesAsync(database, deadline.Token);
        Assert.Equal(Enumerable.Range(1, 2 * PerServer).Select(n => (long)n), changes.Select(c => c.Revision));
        Assert.All(changes, c => Assert.Equal(ChangeKind.Created, c.Kind));
        Assert.Equal(receipts.Select(r => r.RequestId).Order(StringComparer.Ordinal), changes.Select(c => c.RequestId).Order(StringComparer.Ordinal));
        Assert.True(serverA.Writer.BatchCount > 0 && serverB.Writer.BatchCount > 0, "both servers committed");
        var verification = await VerifyAuditAsync(database, masterKey, deadline.Token);
        Assert.True(verification.Intact, verification.Detail);
        Assert.Equal(2 * PerServer, verification.RecordsChecked);
        // The requester's last request counts every earlier one, whichever server stored it (up to the cap).
        var last = await serverA.ExecuteAsync(changes[^1].RequestId, new AddNoteCommand(Operator(1), "checked", null));
        Assert.Equal(Math.Min(PerServer - 1, EarlierContacts.Cap), last.EarlierContacts);
    }

    [Fact]
    public async Task TheSameSubmissionThroughBothServers_IsStoredOnce_AndBothGetItsReceipt()
    {
        var masterKey = RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength);
        await using var database = await OpenDatabaseAsync();
        using var serverA = new WriterServer(database, masterKey);
        using var serverB = new WriterServer(database, masterKey);
        using var deadline = new CancellationTokenSource(Timeout);
        const int Keys = 40;

        var pairs = Enumerable.Range(0, Keys)
            .Select(i => (A: serverA.SubmitAsync(Submission("same-" + i, "@beta")), B: serverB.SubmitAsync(Submission("same-" + i, "@beta"))))
            .ToList();
        await Task.WhenAll(pairs.SelectMany(p => new[] { p.A, p.B })).WaitAsync(deadline.Token);

        foreach (var (a, b) in pairs)
        {
            var (first, second) = (await a, await b);
            Assert.Equal(first.RequestId, second.RequestId);
            Assert.Equal(first.Number, second.Number);
            Assert.True(first.Duplicate ^ second.Duplicate, "exactly one of the two stored it");
        }
        Assert.Equal(Keys, (await ReadChangesAsync(database, deadline.Token)).Count);
        Assert.Equal(Keys, await CountAsync(database, "SELECT count(*) FROM requests", deadline.Token));
    }

    [Fact]
    public async Task FiftyOperatorsRacingClaimsAcrossTwoServers_ExactlyOneWinsEachRequest()
    {
        var masterKey = RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength);
        await using var database = await OpenDatabaseAsync();
        using var serverA = new WriterServer(database, masterKey);
        using var serverB = new WriterServer(database, masterKey);
        using var deadline = new CancellationTokenSource(Timeout);
        const int Requests = 10;
        const int Claimants = 50;

        var winners = 0;
        for (var r = 0; r < Requests; r++)
        {
            var receipt = await serverA.SubmitAsync(Submission("race-" + r, "@gamma")).WaitAsync(deadline.Token);
            var claims = Enumerable.Range(1, Claimants)
                .Select(i => (i % 2 == 0 ? serverA : serverB).ExecuteAsync(receipt.RequestId, new AssignCommand(Operator(i), Operator(i))))
                .ToArray();
            await Task.WhenAll(claims.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(deadline.Token);

            var won = await Task.WhenAll(claims.Where(c => c.IsCompletedSuccessfully));
            var winner = Assert.Single(won);
            var refusals = claims.Where(c => c.IsFaulted).Select(c => Assert.IsType<DomainException>(c.Exception!.InnerException)).ToList();
            Assert.Equal(Claimants - 1, refusals.Count);
            Assert.All(refusals, f => Assert.Equal(ErrorReasons.AlreadyAssigned, f.Reason));
            winners++;
            Assert.Equal(winner.Assignee, await ScalarAsync<string>(database,
                "SELECT assignee FROM requests WHERE id = '" + receipt.RequestId + "'", deadline.Token));
        }

        Assert.Equal(Requests, winners);
        var changes = await ReadChangesAsync(database, deadline.Token);
        Assert.Equal(Requests, changes.Count(c => c.Kind == ChangeKind.Assigned));
        Assert.Equal(Enumerable.Range(1, 2 * Requests).Select(n => (long)n), changes.Select(c => c.Revision));
    }

    [Fact]
    public async Task APurgeThroughOneServer_DeletesTheDataKeyAndEveryRow_AndTheOtherCannotCommandIt()
    {
        var masterKey = RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength);
        await using var database = await OpenDatabaseAsync();
        using var serverA = new WriterServer(database, masterKey);
        using var serverB = new WriterServer(database, masterKey);
        using var deadline = new CancellationTokenSource(Timeout);
        var kept = await serverA.SubmitAsync(Submission("kept", "@delta")).WaitAsync(deadline.Token);
        var purged = await serverA.SubmitAsync(Submission("purged", "@delta")).WaitAsync(deadline.Token);
        var later = await serverA.SubmitAsync(Submission("later", "@delta")).WaitAsync(deadline.Token);
        await serverB.ExecuteAsync(purged.RequestId, new CloseCommand(Supervisor, Resolution.Referred, "moved abroad")).WaitAsync(deadline.Token);

        var removed = await serverA.PurgeAsync(purged.RequestId).WaitAsync(deadline.Token);

        Assert.Equal(1, removed);
        foreach (var table in new[] { "data_keys WHERE request_id", "requests WHERE id", "intake_keys WHERE request_id", "purges_in_progress WHERE request_id" })
        {
            Assert.Equal(0, await CountAsync(database, "SELECT count(*) FROM " + table + " = '" + purged.RequestId + "'", deadline.Token));
        }
        var left = (await ReadChangesAsync(database, deadline.Token)).Where(c => c.RequestId == purged.RequestId).ToList();
        Assert.Equal(ChangeKind.Deleted, Assert.Single(left).Kind);
        var refused = await Assert.ThrowsAsync<DomainException>(() =>
            serverB.ExecuteAsync(purged.RequestId, new AssignCommand(Operator(1), Operator(1))).WaitAsync(deadline.Token));
        Assert.Equal(ErrorKind.NotFound, refused.Kind);
        // The later request of the same requester no longer counts the purged one.
        var laterNow = await serverB.ExecuteAsync(later.RequestId, new AssignCommand(Operator(2), Operator(2))).WaitAsync(deadline.Token);
        Assert.Equal(1, laterNow.EarlierContacts);
        Assert.Equal(2, later.Number - kept.Number);
        var verification = await VerifyAuditAsync(database, masterKey, deadline.Token);
        Assert.True(verification.Intact, verification.Detail);
    }

    private static NewHelpRequest Submission(string key, string contactHandle) => new()
    {
        IntakeRequestId = key,
        SubmittedBy = Intake.Id,
        Channel = Channel.Telegram,
        ContactHandle = contactHandle,
        Language = "ru",
        Message = "Need help " + key,
        Urgency = Urgency.Urgent,
        Region = "Grozny",
        Tags = ["housing"],
    };

    private static OperatorAccount Operator(int i) =>
        new("op-" + i.ToString(CultureInfo.InvariantCulture), "Operator " + i.ToString(CultureInfo.InvariantCulture), Role.Operator);

    private async Task<NpgsqlDataSource> OpenDatabaseAsync()
    {
        var database = NpgsqlDataSource.Create(postgres.Cluster.CreateDatabase());
        await PostgresSchema.EnsureAsync(database, CancellationToken.None);
        return database;
    }

    private static async Task<List<(long Revision, string RequestId, ChangeKind Kind)>> ReadChangesAsync(NpgsqlDataSource database,
        CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT revision, request_id, kind FROM changes ORDER BY revision");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var changes = new List<(long, string, ChangeKind)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add((reader.GetInt64(0), reader.GetString(1), (ChangeKind)reader.GetInt32(2)));
        }
        return changes;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource database, string sql, CancellationToken cancellationToken) =>
        await ScalarAsync<long>(database, sql, cancellationToken);

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource database, string sql, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<AuditVerification> VerifyAuditAsync(NpgsqlDataSource database, byte[] masterKey, CancellationToken cancellationToken)
    {
        var records = new List<StoredAuditRecord>();
        await using (var command = database.CreateCommand("SELECT " + AuditRows.Columns + " FROM audit ORDER BY sequence"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                records.Add(AuditRows.ReadStored(reader));
            }
        }
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var head = await StoreHead.ReadAsync(connection, cancellationToken);
        using var ring = KeyRing.Derive(masterKey);
        return AuditChain.Verify(ring, records, head.AuditSequence, head.AuditHead, cancellationToken);
    }
}
