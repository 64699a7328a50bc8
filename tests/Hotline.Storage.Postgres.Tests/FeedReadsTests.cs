using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Protection;
using Npgsql;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>
/// The working set is read from one snapshot: under concurrent writers closing and reopening
/// requests, every set found is exactly the open and recently closed requests as of the revision
/// it reports, never a mix of two commits.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FeedReadsTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset WindowStart = Start.AddHours(10);

    [Fact]
    public async Task WorkingSetsUnderConcurrentWriters_AreExactlyTheSetAtTheirRevision()
    {
        await using var data = NpgsqlDataSource.Create(postgres.Cluster.CreateDatabase());
        await PostgresSchema.EnsureAsync(data, CancellationToken.None);
        var dataKey = RandomNumberGenerator.GetBytes(KeyRing.DataKeyLength);
        // What each request is after each revision: (open, close ticks); revision 0 is empty.
        var history = new SortedDictionary<long, (string Id, bool Open, long? CloseTicks)>();
        var ids = new List<string>();
        await using (var connection = await data.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var head = await StoreHead.LockAsync(connection, transaction, CancellationToken.None);
            for (var i = 1; i <= 30; i++)
            {
                var request = NewRequest(i, RequestState.New, closeTime: null);
                ids.Add(request.Id);
                using var sealer = new RequestSealer(request.Id, dataKey);
                await RequestRows.InsertAsync(connection, transaction, SealedRequest.Seal(request, sealer), null, CancellationToken.None);
                history[i] = (request.Id, true, null);
            }
            await (head with { LastRevision = 30, NextNumber = 31 }).WriteAsync(connection, transaction, CancellationToken.None);
            await transaction.CommitAsync();
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var writers = Enumerable.Range(0, 2).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            for (var t = 0; t < 40; t++)
            {
                await using var connection = await data.OpenConnectionAsync(deadline.Token);
                await using var transaction = await connection.BeginTransactionAsync(deadline.Token);
                var head = await StoreHead.LockAsync(connection, transaction, deadline.Token);
                var number = random.Next(1, 31);
                var revision = head.LastRevision + 1;
                // Close inside or before the window, or reopen.
                var (state, closed) = random.Next(3) switch
                {
                    0 => (RequestState.Closed, (DateTimeOffset?)WindowStart.AddMinutes(random.Next(1, 60))),
                    1 => (RequestState.Closed, (DateTimeOffset?)WindowStart.AddMinutes(-random.Next(1, 60))),
                    _ => (RequestState.New, (DateTimeOffset?)null),
                };
                var request = NewRequest(number, state, closed) with { Id = ids[number - 1], Revision = revision };
                using (var sealer = new RequestSealer(request.Id, dataKey))
                {
                    Assert.True(await RequestRows.UpdateAsync(connection, transaction, SealedRequest.Seal(request, sealer), null, deadline.Token));
                }
                await (head with { LastRevision = revision }).WriteAsync(connection, transaction, deadline.Token);
                lock (history)
                {
                    history[revision] = (request.Id, state != RequestState.Closed, closed?.UtcTicks);
                }
                await transaction.CommitAsync(deadline.Token);
            }
        }, deadline.Token)).ToList();

        var snapshots = new List<WorkingSetIds>();
        while (!writers.All(w => w.IsCompleted))
        {
            snapshots.Add(await FeedReads.FindWorkingSetAsync(data, WindowStart, deadline.Token));
        }
        await Task.WhenAll(writers);
        snapshots.Add(await FeedReads.FindWorkingSetAsync(data, WindowStart, deadline.Token));

        Assert.True(snapshots.Count >= 2);
        foreach (var snapshot in snapshots)
        {
            var state = new Dictionary<string, (bool Open, long? CloseTicks)>(StringComparer.Ordinal);
            foreach (var (revision, change) in history)
            {
                if (revision <= snapshot.Revision)
                {
                    state[change.Id] = (change.Open, change.CloseTicks);
                }
            }
            var expected = state.Where(s => s.Value.Open || s.Value.CloseTicks >= WindowStart.UtcTicks)
                .Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, snapshot.Ids);
        }
    }

    private static HelpRequest NewRequest(int number, RequestState state, DateTimeOffset? closeTime) => new()
    {
        Id = RequestIds.New(Start.AddMinutes(number)),
        Number = number,
        Channel = Channel.Sms,
        Message = "",
        Urgency = Urgency.Urgent,
        State = state,
        CreateTime = Start.AddMinutes(number),
        UpdateTime = Start.AddMinutes(number),
        CloseTime = closeTime,
        Revision = number,
        SubmittedBy = "web-form",
    };
}
