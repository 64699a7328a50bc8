using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Storage.Tests;

public abstract partial class RequestStoreContract<TStore>
{
    private static readonly FilterTerm OpenNewOrAssigned = new(FilterField.State, Negated: false, ["New", "Assigned"]);
    private static readonly FilterTerm NotClosed = new(FilterField.State, Negated: true, ["Closed"]);
    private static readonly FilterTerm RoutineOnly = new(FilterField.Urgency, Negated: false, ["Routine"]);

    private async Task<(TStore Store, List<HelpRequest> All)> SeedAsync()
    {
        var time = new FakeTimeProvider(TestData.Start);
        var store = await CreateStoreAsync(time: time);
        var all = new List<HelpRequest>();
        var urgencies = new[] { Urgency.Routine, Urgency.ImmediateDanger, Urgency.Urgent };
        for (var i = 0; i < 12; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            var receipt = await store.SubmitAsync(TestData.Submission("l-" + i) with { Urgency = urgencies[i % 3] }, CancellationToken.None).DefaultTimeout();
            var request = (await store.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())!;
            if (i % 4 == 1)
            {
                request = await store.ExecuteAsync(receipt.RequestId, new AssignCommand(TestData.Operator(7), TestData.Operator(7)), CancellationToken.None).DefaultTimeout();
            }
            if (i % 4 == 2)
            {
                request = await store.ExecuteAsync(receipt.RequestId, new CloseCommand(TestData.Supervisor, Resolution.Spam), CancellationToken.None).DefaultTimeout();
            }
            all.Add(request);
        }
        return (store, all);
    }

    [Fact]
    public async Task StateFilter_UsesOnlyMatchingStatesInDefaultOrder()
    {
        var (store, all) = await SeedAsync();
        using var _ = store;
        var query = new RequestQuery { Terms = [new FilterTerm(FilterField.State, Negated: false, ["New", "Assigned"])] };

        var page = await store.ListAsync(query, TestData.Reader, CancellationToken.None).DefaultTimeout();

        var expected = all.Where(r => r.State is RequestState.New or RequestState.Assigned)
            .OrderByDescending(r => r.Urgency).ThenBy(r => r.CreateTime).Select(r => r.Number).ToList();
        Assert.Equal(expected, page.Requests.Select(r => r.Number));
        Assert.Equal(expected.Count, page.TotalSize);
        Assert.Equal(store.CommittedRevision, page.Revision);
    }

    [Fact]
    public async Task NegatedStateAndAssigneeFilter_Match()
    {
        var (store, all) = await SeedAsync();
        using var _ = store;
        var query = new RequestQuery
        {
            Terms =
            [
                new FilterTerm(FilterField.State, Negated: true, ["Closed"]),
                new FilterTerm(FilterField.Assignee, Negated: false, [""]),
            ],
            Order = [new SortKey(SortField.Number, Descending: true)],
        };

        var page = await store.ListAsync(query, TestData.Reader, CancellationToken.None).DefaultTimeout();

        Assert.Equal(all.Where(r => r.State == RequestState.New).Select(r => r.Number).OrderDescending(), page.Requests.Select(r => r.Number));
    }

    [Fact]
    public async Task Paging_WalksTheWholeOrderWithoutGapsOrRepeats()
    {
        var (store, all) = await SeedAsync();
        using var _ = store;
        var seen = new List<long>();
        ListPosition? after = null;
        for (var pages = 0; pages < 4; pages++)
        {
            var page = await store.ListAsync(new RequestQuery { After = after, Limit = 5 }, TestData.Reader, CancellationToken.None).DefaultTimeout();
            // Counted only on a first page that holds every match: the rest would cost a read of every match.
            Assert.Null(page.TotalSize);
            seen.AddRange(page.Requests.Select(r => r.Number));
            after = page.Next;
            if (after is null)
            {
                break;
            }
        }
        var expected = all.OrderByDescending(r => r.Urgency).ThenBy(r => r.CreateTime).ThenBy(r => r.Number).Select(r => r.Number);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task ImpossibleStateFilter_ReturnsNothing()
    {
        var (store, _) = await SeedAsync();
        using var __ = store;
        var query = new RequestQuery
        {
            Terms = [new FilterTerm(FilterField.State, false, ["New"]), new FilterTerm(FilterField.State, false, ["Closed"])],
        };

        var page = await store.ListAsync(query, TestData.Reader, CancellationToken.None).DefaultTimeout();

        Assert.Empty(page.Requests);
        Assert.Equal(0, page.TotalSize);
    }

    public static TheoryData<string, int> OrdersAndFilters()
    {
        string[] orders =
        [
            "", "urgency, create_time desc", "number", "number desc", "create_time", "create_time desc", "update_time", "update_time desc",
            "create_time desc, urgency", "urgency", "urgency desc, update_time", "update_time, urgency desc, create_time",
        ];
        var data = new TheoryData<string, int>();
        foreach (var order in orders)
        {
            for (var filter = 0; filter < 4; filter++)
            {
                data.Add(order, filter);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OrdersAndFilters))]
    public async Task EveryOrderAndFilter_PagesInTheSequenceOfAFullSort(string orderBy, int filter)
    {
        var time = new FakeTimeProvider(TestData.Start);
        using var store = await CreateStoreAsync(time: time);
        var urgencies = new[] { Urgency.Routine, Urgency.ImmediateDanger, Urgency.Urgent, Urgency.Routine };
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            // Every third submission shares its create time with the one before: ties must come out by number.
            if (i % 3 != 0)
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }
            ids.Add((await store.SubmitAsync(TestData.Submission("o-" + i) with { Urgency = urgencies[i % 4] }, CancellationToken.None).DefaultTimeout()).RequestId);
        }
        for (var i = 0; i < ids.Count; i += 3)
        {
            // Updates in another order than creation, some at the same instant.
            time.Advance(TimeSpan.FromSeconds(i % 2));
            var id = ids[(i * 7) % ids.Count];
            await (i % 9 == 0
                ? store.ExecuteAsync(id, new CloseCommand(TestData.Supervisor, Resolution.Spam), CancellationToken.None)
                : store.ExecuteAsync(id, new AssignCommand(TestData.Operator(1), TestData.Operator(1)), CancellationToken.None)).DefaultTimeout();
        }
        var all = new List<HelpRequest>();
        foreach (var id in ids)
        {
            all.Add((await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout())!);
        }
        IReadOnlyList<FilterTerm> terms = filter switch
        {
            1 => [OpenNewOrAssigned],
            2 => [NotClosed, RoutineOnly],
            3 => [RoutineOnly],
            _ => [],
        };
        var query = new RequestQuery { Terms = terms, Order = QuerySyntax.ParseOrder(orderBy), Limit = 4 };

        var paged = await PageThroughAsync(store, query);

        var expected = all.Where(query.Matches).Order(Comparer<HelpRequest>.Create(query.Compare)).Select(r => r.Number).ToList();
        Assert.Equal(expected, paged.Select(r => r.Number));
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("number", false)]
    [InlineData("number desc", false)]
    [InlineData("create_time desc", false)]
    [InlineData("", true)]
    [InlineData("urgency", true)]
    public async Task KeysetPaging_WhileAnotherTaskSubmitsAndUpdates_ReturnsEveryRequestExactlyOnce(string orderBy, bool openOnly)
    {
        var time = new FakeTimeProvider(TestData.Start);
        using var store = await CreateStoreAsync(time: time);
        var urgencies = new[] { Urgency.Routine, Urgency.ImmediateDanger, Urgency.Urgent };
        var existing = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            existing.Add((await store.SubmitAsync(TestData.Submission("c-" + i) with { Urgency = urgencies[i % 3] }, CancellationToken.None).DefaultTimeout()).RequestId);
        }
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            // Claims (state NEW -> ASSIGNED, update time moves; the sort position in these orders does not)
            // and new submissions, interleaved with the paging below. Bounded: in an ascending order new
            // submissions land ahead of the pager, which must be able to catch up however fast they come.
            for (var i = 0; i < 300 && !stop.IsCancellationRequested; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(300));
                await store.SubmitAsync(TestData.Submission("during-" + i) with { Urgency = urgencies[i % 3] }, CancellationToken.None);
                await store.ExecuteAsync(existing[(i * 37) % existing.Count], new AssignCommand(TestData.Operator(2), TestData.Operator(2)), CancellationToken.None);
            }
        });
        var query = new RequestQuery
        {
            Terms = openOnly ? [OpenNewOrAssigned] : [],
            Order = QuerySyntax.ParseOrder(orderBy),
            Limit = 7,
        };

        var paged = await PageThroughAsync(store, query, pauseBetweenPages: true);
        await stop.CancelAsync();
        await writer.DefaultTimeout();

        Assert.Equal(paged.Count, paged.Select(r => r.Id).Distinct().Count());
        Assert.Empty(existing.Except(paged.Select(r => r.Id)));
    }

    [Fact]
    public async Task ListRelated_PagedByNumber_ReturnsEachOtherRequestOnceNewestFirst()
    {
        using var store = await CreateStoreAsync();
        var ids = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            ids.Add((await store.SubmitAsync(TestData.Submission("r-" + i), CancellationToken.None).DefaultTimeout()).RequestId);
        }
        var seen = new List<string>();
        long? before = null;
        var pages = 0;
        do
        {
            var page = await store.ListRelatedAsync(ids[4], TestData.Reader, before, 3, CancellationToken.None).DefaultTimeout();
            Assert.Equal(8 + pages, page.TotalSize);
            seen.AddRange(page.Requests.Select(r => r.Id));
            before = page.Next?.Number;
            pages++;
            // A request arriving mid-run is newer than every cursor: it is not among the later pages.
            await store.SubmitAsync(TestData.Submission("r-late-" + pages), CancellationToken.None).DefaultTimeout();
        }
        while (before is not null && pages < 10);

        Assert.Equal(ids.Where((_, i) => i != 4).Reverse(), seen);
        Assert.Equal(3, pages);
    }

    private static async Task<List<HelpRequest>> PageThroughAsync(IRequestStore store, RequestQuery query, bool pauseBetweenPages = false)
    {
        var seen = new List<HelpRequest>();
        ListPosition? after = null;
        for (var pages = 0; pages < 1_000; pages++)
        {
            var page = await store.ListAsync(query with { After = after }, TestData.Reader, CancellationToken.None).DefaultTimeout();
            seen.AddRange(page.Requests);
            after = page.Next;
            if (after is null)
            {
                return seen;
            }
            if (pauseBetweenPages)
            {
                await Task.Delay(5);
            }
        }
        throw new InvalidOperationException("Paging did not end.");
    }
}
