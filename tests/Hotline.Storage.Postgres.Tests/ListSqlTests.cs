using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Protection;
using Npgsql;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>
/// The list query against the domain's own definition of a list: every order and filter, paged
/// with keyset tokens, returns what filtering and sorting all requests in memory returns; and a
/// page of the open queue is found by an index range scan, never by sorting the table.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ListSqlTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string> OrdersAndFilters()
    {
        string[] orders =
        [
            "", "urgency, create_time desc", "number", "number desc", "create_time", "create_time desc", "update_time",
            "update_time desc", "create_time desc, urgency", "urgency desc, update_time", "update_time, urgency desc, create_time",
        ];
        string[] filters = ["", "state = NEW", "state != CLOSED AND urgency = ROUTINE", "assignee = \"\"", "assignee != operators/anna AND language = RU"];
        var data = new TheoryData<string, string>();
        foreach (var order in orders)
        {
            foreach (var filter in filters)
            {
                data.Add(order, filter);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OrdersAndFilters))]
    public async Task KeysetPages_FollowTheDomainsFullSort(string orderBy, string filter)
    {
        await using var data = NpgsqlDataSource.Create(postgres.SharedDatabase(nameof(KeysetPages_FollowTheDomainsFullSort)));
        await PostgresSchema.EnsureAsync(data, CancellationToken.None);
        await using (var emptying = await data.OpenConnectionAsync())
        await using (var empty = new NpgsqlCommand("TRUNCATE requests", emptying))
        {
            await empty.ExecuteNonQueryAsync();
        }
        var all = await InsertRandomAsync(data, count: 120, seed: orderBy.Length * 31 + filter.Length);
        var query = new RequestQuery
        {
            Terms = QuerySyntax.ParseFilter(filter, "anna"),
            Order = QuerySyntax.ParseOrder(orderBy),
            Limit = 7,
        };

        var paged = new List<long>();
        await using var connection = await data.OpenConnectionAsync();
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await ReadPageAsync(connection, query);
            paged.AddRange(page.Take(query.Limit).Select(r => r.Number));
            if (page.Count <= query.Limit)
            {
                break;
            }
            query = query with { After = ListPosition.Of(page[query.Limit - 1]) };
        }

        var expected = all.Where(query.Matches).Order(Comparer<HelpRequest>.Create(query.Compare)).Select(r => r.Number).ToList();
        Assert.Equal(expected, paged);
    }

    [Fact]
    public async Task ANewQueuePage_IsAnIndexRangeScan_NotASortOfTheTable()
    {
        await using var data = NpgsqlDataSource.Create(postgres.Cluster.CreateDatabase());
        await PostgresSchema.EnsureAsync(data, CancellationToken.None);
        await InsertRandomAsync(data, count: 3_000, seed: 7);
        await using var connection = await data.OpenConnectionAsync();
        await using (var analyze = new NpgsqlCommand("ANALYZE requests", connection))
        {
            await analyze.ExecuteNonQueryAsync();
        }
        var query = new RequestQuery
        {
            Terms = QuerySyntax.ParseFilter("state = NEW", "anna"),
            After = new ListPosition(Urgency.Urgent, Start.AddMinutes(10), Start, 50),
        };
        await using var page = ListSql.Page(query, connection, transaction: null);
        page.CommandText = "EXPLAIN " + page.CommandText;
        var plan = new List<string>();
        await using (var rows = await page.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
            {
                plan.Add(rows.GetString(0));
            }
        }

        var text = string.Join("\n", plan);
        Assert.Contains("Index Scan using requests_state_queue", text);
        Assert.DoesNotContain("Sort", text);
        Assert.DoesNotContain("Seq Scan on requests", text);
    }

    private static async Task<List<HelpRequest>> ReadPageAsync(NpgsqlConnection connection, RequestQuery query)
    {
        await using var command = ListSql.Page(query, connection, transaction: null);
        var found = new List<HelpRequest>();
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            found.Add(RequestRows.Read(rows).Envelope);
        }
        return found;
    }

    /// <summary>Requests with every clear field varied, times and urgencies often tied so that ties must come out by number.</summary>
    private static async Task<List<HelpRequest>> InsertRandomAsync(NpgsqlDataSource data, int count, int seed)
    {
        var random = new Random(seed);
        var dataKey = RandomNumberGenerator.GetBytes(KeyRing.DataKeyLength);
        var states = new[] { RequestState.New, RequestState.Assigned, RequestState.Waiting, RequestState.Closed };
        var operators = new[] { "anna", "boris", "chen" };
        var languages = new[] { "ru", "RU", "uk", "" };
        var all = new List<HelpRequest>();
        await using var connection = await data.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        for (var number = 1; number <= count; number++)
        {
            var state = states[random.Next(states.Length)];
            var created = Start.AddMinutes(random.Next(count / 3));
            var request = new HelpRequest
            {
                Id = RequestIds.New(created),
                Number = number,
                Channel = (Channel)random.Next(1, 10),
                Language = languages[random.Next(languages.Length)],
                Message = "",
                Urgency = (Urgency)random.Next(1, 4),
                State = state,
                Assignee = state == RequestState.New || random.Next(4) == 0 ? null : operators[random.Next(operators.Length)],
                CreateTime = created,
                UpdateTime = created.AddMinutes(random.Next(5)),
                CloseTime = state == RequestState.Closed ? created.AddHours(1) : null,
                Revision = number,
                SubmittedBy = "web-form",
            };
            using var sealer = new RequestSealer(request.Id, dataKey);
            await RequestRows.InsertAsync(connection, transaction, SealedRequest.Seal(request, sealer), requester: null, CancellationToken.None);
            all.Add(request);
        }
        await transaction.CommitAsync();
        return all;
    }
}
