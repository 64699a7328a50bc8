using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Protection;
using Npgsql;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>
/// <see cref="PostgresRows"/> holds back the writes nothing reads and sends them with the next
/// statement that reads, or with the commit: fewer round trips under the head row's lock, the
/// same rows seen, and a failed deferred write still fails the whole transaction.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRowsBatchingTests(PostgresFixture postgres)
{
    private static readonly StoreCounters Held = new(0, 1, 0, 0, []);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task DeferredWrites_GoWithTheNextRead_InOneRoundTrip_AndTheReadSeesThem()
    {
        using var deadline = new CancellationTokenSource(Timeout);
        await using var dataSource = await OpenAsync(deadline.Token);
        using var engine = new PostgresEngine(dataSource);
        engine.Begin(Held);
        var rows = (PostgresRows)engine.Rows;

        for (var i = 0; i < 20; i++)
        {
            rows.InsertDataKey("req-" + i, [(byte)i]);
        }
        Assert.Equal(0, rows.RoundTrips);

        var found = rows.FindWrappedDataKey("req-19");

        Assert.Equal(new byte[] { 19 }, found);
        Assert.Equal(1, rows.RoundTrips);
        engine.Commit();
        Assert.Equal(20, await CountDataKeysAsync(dataSource, deadline.Token));
    }

    [Fact]
    public async Task ANewIdCheck_GoesWithTheDeferredWrites_InOneRoundTrip_AndSeesThem()
    {
        using var deadline = new CancellationTokenSource(Timeout);
        await using var dataSource = await OpenAsync(deadline.Token);
        using var engine = new PostgresEngine(dataSource);
        engine.Begin(Held);
        var rows = (PostgresRows)engine.Rows;
        var now = DateTimeOffset.UtcNow;
        var request = new HelpRequest
        {
            Id = RequestIds.New(now),
            Number = 1,
            Channel = Channel.Signal,
            Language = "en",
            Message = "",
            Urgency = Urgency.Urgent,
            State = RequestState.New,
            CreateTime = now,
            UpdateTime = now,
            WaitingSince = now,
            Revision = 1,
            SubmittedBy = "web-form",
        };
        rows.InsertDataKey(request.Id, [1]);
        using (var sealer = new RequestSealer(request.Id, RandomNumberGenerator.GetBytes(KeyRing.DataKeyLength)))
        {
            rows.WriteChange(new RequestChange(1, ChangeKind.Created, request.Id, request, "web-form"), sealer, pseudonym: null);
        }
        Assert.Equal(0, rows.RoundTrips);

        // Before, the check sent the deferred writes in one round trip and asked in a second.
        Assert.True(rows.RequestExists(request.Id));
        Assert.Equal(1, rows.RoundTrips);
        rows.InsertDataKey("req-2", [2]);
        Assert.False(rows.RequestExists(RequestIds.New(now)));
        Assert.Equal(2, rows.RoundTrips);
        engine.Commit();
        Assert.Equal(2, await CountDataKeysAsync(dataSource, deadline.Token));
    }

    [Fact]
    public async Task ADeferredWriteThatFails_FailsEveryLaterStatementAndTheCommit_AndNothingIsStored()
    {
        using var deadline = new CancellationTokenSource(Timeout);
        await using var dataSource = await OpenAsync(deadline.Token);
        using var engine = new PostgresEngine(dataSource);
        engine.Begin(Held);
        var rows = (PostgresRows)engine.Rows;
        rows.InsertDataKey("req-1", [1]);
        rows.InsertDataKey("req-1", [2]);

        // A write that refuses itself when its read fails must not let the batch commit without the lost write.
        var onRead = Assert.Throws<PostgresException>(() => rows.FindWrappedDataKey("req-1"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, onRead.SqlState);
        var onNextWrite = Assert.Throws<PostgresException>(() => rows.InsertDataKey("req-2", [3]));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, onNextWrite.SqlState);
        var onNextRead = Assert.Throws<PostgresException>(() => rows.FindWrappedDataKey("req-2"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, onNextRead.SqlState);
        var onIdCheck = Assert.Throws<PostgresException>(() => rows.RequestExists("req-2"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, onIdCheck.SqlState);
        var onCommit = Assert.Throws<PostgresException>(engine.Commit);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, onCommit.SqlState);
        engine.RollBack();

        Assert.Equal(0, await CountDataKeysAsync(dataSource, deadline.Token));
        engine.Begin(Held);
        rows.InsertDataKey("req-3", [4]);
        engine.Commit();
        Assert.Equal(1, await CountDataKeysAsync(dataSource, deadline.Token));
    }

    private async Task<NpgsqlDataSource> OpenAsync(CancellationToken cancellationToken)
    {
        var dataSource = NpgsqlDataSource.Create(postgres.Cluster.CreateDatabase());
        await PostgresSchema.EnsureAsync(dataSource, cancellationToken);
        return dataSource;
    }

    private static async Task<long> CountDataKeysAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM data_keys");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
