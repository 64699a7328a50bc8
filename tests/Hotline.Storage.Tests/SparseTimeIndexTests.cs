using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage.Tests;

/// <summary>
/// The close-time and first-claim indexes hold closed and claimed requests alone: a new request adds
/// no entry to either, and a purge or a figure reads them from the oldest or newest entry it needs.
/// A store written while they still held a null for every open request is reindexed on opening.
/// </summary>
public sealed class SparseTimeIndexTests
{
    private static readonly OperatorAccount Anna = TestData.Operator(1);

    [Theory]
    [InlineData(RequestDocument.CloseTimeKey, RequestDocument.CloseTimeField)]
    [InlineData(RequestDocument.FirstClaimTimeKey, RequestDocument.FirstClaimTimeField)]
    public void KeyExpression_GivesNoKeyForANullOrMissingTime_AndTheTimeOnceSet(string expression, string field)
    {
        var keys = BsonExpression.Create(expression);

        Assert.Empty(keys.Execute(new BsonDocument { [field] = BsonValue.Null }));
        Assert.Empty(keys.Execute(new BsonDocument()));
        Assert.Equal([new BsonValue(638_000_000_000_000_000L)], keys.Execute(new BsonDocument { [field] = 638_000_000_000_000_000L }));
    }

    [Fact]
    public async Task StoreWithTheOldIndexes_IsReindexedOnOpening_AndStillFindsClosedAndClaimedRequests()
    {
        using var directory = new TempDirectory();
        var ids = new List<string>();
        using (var store = TestStore.InDirectory(directory.Path))
        {
            for (var i = 0; i < 4; i++)
            {
                ids.Add((await store.SubmitAsync(TestData.Submission("k" + i), CancellationToken.None).DefaultTimeout()).RequestId);
            }
            await store.ExecuteAsync(ids[1], new AssignCommand(Anna, Anna), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(ids[2], new AssignCommand(Anna, Anna), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(ids[2], new CloseCommand(Anna, Resolution.InformationGiven), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(ids[3], new CloseCommand(TestData.Supervisor, Resolution.Spam), CancellationToken.None).DefaultTimeout();
        }
        // As an older version left it: both indexes on the bare field, a null key for every open or unclaimed request.
        using (var raw = OpenRaw(directory.Path))
        {
            var requests = raw.GetCollection(RequestDocument.Collection);
            foreach (var field in new[] { RequestDocument.CloseTimeField, RequestDocument.FirstClaimTimeField })
            {
                requests.DropIndex(field);
                requests.EnsureIndex(field, "$." + field);
            }
            Assert.Equal("$." + RequestDocument.CloseTimeField, new StoreSchema(raw).IndexExpression(requests, RequestDocument.CloseTimeField));
        }

        using (var store = TestStore.InDirectory(directory.Path))
        {
            Assert.Equal(2, await store.CountClosedBeforeAsync(TestData.Start.AddDays(1), CancellationToken.None).DefaultTimeout());
            Assert.Equal(0, await store.CountClosedBeforeAsync(TestData.Start.AddDays(-1), CancellationToken.None).DefaultTimeout());
            var figures = await store.ReadQueueAsync(TestData.Start.AddHours(-1), CancellationToken.None).DefaultTimeout();
            Assert.Equal(2, figures.ClosedToday);
            Assert.Equal(2, figures.TimesToClaim.Count);
            // Two open, two closed within the window: the closed pair is found through the close-time index.
            var snapshot = await store.ReadWorkingSetAsync(TimeSpan.FromDays(1), CancellationToken.None).DefaultTimeout();
            Assert.Equal(4, snapshot.Count);
        }

        using (var raw = OpenRaw(directory.Path))
        {
            var schema = new StoreSchema(raw);
            var claims = schema.Requests.Query().Where(LiteDbRequestStore.FirstClaimedSince, 0L).GetPlan();
            Assert.Equal(BsonExpression.Create(RequestDocument.FirstClaimTimeKey).Source, claims["index"]["expr"].AsString);
            Assert.False(claims.ContainsKey("filters"));
            Assert.Equal(BsonExpression.Create(RequestDocument.CloseTimeKey).Source, schema.IndexExpression(schema.Requests, RequestDocument.CloseTimeField));
            Assert.Equal(BsonExpression.Create(RequestDocument.FirstClaimTimeKey).Source, schema.IndexExpression(schema.Requests, RequestDocument.FirstClaimTimeField));
        }
    }

    [Fact]
    public async Task PurgeRound_TakesTheOldestClosedFirst_UpToItsLimit()
    {
        using var directory = new TempDirectory();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestData.Start);
        var ids = new List<string>();
        using (var store = TestStore.InDirectory(directory.Path, time: time))
        {
            for (var i = 0; i < 5; i++)
            {
                ids.Add((await store.SubmitAsync(TestData.Submission("k" + i), CancellationToken.None).DefaultTimeout()).RequestId);
            }
            // Closed in the order 3, 1, 4, 0, one minute apart; 2 stays open.
            foreach (var i in new[] { 3, 1, 4, 0 })
            {
                await store.ExecuteAsync(ids[i], new CloseCommand(TestData.Supervisor, Resolution.InformationGiven), CancellationToken.None).DefaultTimeout();
                time.Advance(TimeSpan.FromMinutes(1));
            }
        }
        using var raw = OpenRaw(directory.Path);
        var rows = new LiteDbRows(new StoreSchema(raw));

        Assert.Equal([ids[3], ids[1]], rows.FindClosedBefore(time.GetUtcNow(), limit: 2));
        Assert.Equal([ids[3], ids[1], ids[4], ids[0]], rows.FindClosedBefore(time.GetUtcNow(), limit: 10));
        Assert.Equal([ids[3], ids[1]], rows.FindClosedBefore(TestData.Start.AddMinutes(1.5), limit: 10));
    }

    [Fact]
    public async Task PurgeClosedBefore_TakesOnlyWhatClosedBeforeTheCutoff_NeverAnOpenOrReopenedRequest()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestData.Start);
        using var store = TestStore.InMemory(time: time);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await store.SubmitAsync(TestData.Submission("k" + i), CancellationToken.None).DefaultTimeout()).RequestId);
        }
        // Closed in the order 4, 2, 0, one minute apart; 5 closed and reopened; 1 and 3 never closed.
        foreach (var i in new[] { 4, 2, 0, 5 })
        {
            await store.ExecuteAsync(ids[i], new CloseCommand(TestData.Supervisor, Resolution.InformationGiven), CancellationToken.None).DefaultTimeout();
            time.Advance(TimeSpan.FromMinutes(1));
        }
        await store.ExecuteAsync(ids[5], new ReopenCommand(TestData.Supervisor), CancellationToken.None).DefaultTimeout();

        Assert.Equal(3, await store.CountClosedBeforeAsync(time.GetUtcNow(), CancellationToken.None).DefaultTimeout());
        Assert.Equal(2, await store.CountClosedBeforeAsync(TestData.Start.AddMinutes(1.5), CancellationToken.None).DefaultTimeout());
        Assert.Equal(2, await store.PurgeClosedBeforeAsync(TestData.Start.AddMinutes(1.5), "retention", CancellationToken.None).DefaultTimeout());

        foreach (var (i, kept) in new[] { (0, true), (1, true), (2, false), (3, true), (4, false), (5, true) })
        {
            Assert.Equal(kept, await store.OutlineAsync(ids[i], CancellationToken.None).DefaultTimeout() is not null);
        }
    }

    private static LiteDatabase OpenRaw(string directory) =>
        new(new ConnectionString { Filename = Path.Combine(directory, DataDirectory.DatabaseFileName), Collation = Collation.Binary });
}
