using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Storage.Tests;

/// <summary>Keyset paging of ListAsync and ListRelatedAsync: order, completeness under concurrent writes, and cost.</summary>
public sealed class KeysetListTests
{
    private static readonly FilterTerm OpenNewOrAssigned = new(FilterField.State, Negated: false, ["New", "Assigned"]);
    private static readonly FilterTerm NotClosed = new(FilterField.State, Negated: true, ["Closed"]);
    private static readonly FilterTerm RoutineOnly = new(FilterField.Urgency, Negated: false, ["Routine"]);

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
        using var store = TestStore.InMemory(time: time);
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
        using var store = TestStore.InMemory(time: time);
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
    public async Task List_WithThousandsClosed_ReadsDocumentsInProportionToThePageNotTheHistory()
    {
        const int Closed = 5_000;
        const int Open = 50;
        const int PageSize = 10;
        var time = new FakeTimeProvider(TestData.Start);
        using var store = TestStore.InMemory(time: time);
        for (var batch = 0; batch < Closed; batch += 250)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var receipts = await Task.WhenAll(Enumerable.Range(batch, 250)
                .Select(i => store.SubmitAsync(TestData.Submission("closed-" + i), CancellationToken.None))).DefaultTimeout();
            await Task.WhenAll(receipts.Select(r =>
                store.ExecuteAsync(r.RequestId, new CloseCommand(TestData.Supervisor, Resolution.InformationGiven), CancellationToken.None))).DefaultTimeout();
        }
        for (var i = 0; i < Open; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            // Most urgent: first in the default order, ahead of the closed history (batches of which share a create time).
            await store.SubmitAsync(TestData.Submission("open-" + i) with { Urgency = Urgency.ImmediateDanger }, CancellationToken.None).DefaultTimeout();
        }

        async Task<(RequestPage Page, long Read)> ListAsync(RequestQuery query)
        {
            var before = store.ListDocumentsRead;
            var page = await store.ListAsync(query, TestData.Reader, CancellationToken.None).DefaultTimeout();
            Assert.Equal(PageSize, page.Requests.Count);
            return (page, store.ListDocumentsRead - before);
        }

        var newOnly = new FilterTerm(FilterField.State, Negated: false, ["New"]);
        var (queue, queueRead) = await ListAsync(new RequestQuery { Terms = [newOnly], Limit = PageSize });
        var (_, queueNextRead) = await ListAsync(new RequestQuery { Terms = [newOnly], Limit = PageSize, After = queue.Next });
        var (all, allRead) = await ListAsync(new RequestQuery { Limit = PageSize });
        var (_, allNextRead) = await ListAsync(new RequestQuery { Limit = PageSize, After = all.Next });
        var closedOnly = new FilterTerm(FilterField.State, Negated: false, ["Closed"]);
        var (_, historyRead) = await ListAsync(new RequestQuery { Terms = [closedOnly], Order = QuerySyntax.ParseOrder("number"), Limit = PageSize });

        // The open queue is found from the open-key index's keys alone and counted exactly; only the
        // page and the one after it (there is a next page) are read as documents.
        Assert.Equal(PageSize + 1, queueRead);
        Assert.Equal(PageSize + 1, queueNextRead);
        Assert.Equal(Open, queue.TotalSize);
        // Walks read the page, one more (there is a next page), the one after that (its tie group has
        // ended), the revision watermark, and on later pages the previous page's last request again:
        // never the closed history.
        Assert.InRange(allRead, PageSize + 1, PageSize + 3);
        Assert.InRange(allNextRead, PageSize + 1, PageSize + 4);
        Assert.InRange(historyRead, PageSize + 1, PageSize + 3);
        Assert.Null(all.TotalSize);
    }

    [Fact]
    public async Task ListRelated_PagedByNumber_ReturnsEachOtherRequestOnceNewestFirst()
    {
        using var store = TestStore.InMemory();
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

    private static async Task<List<HelpRequest>> PageThroughAsync(LiteDbRequestStore store, RequestQuery query, bool pauseBetweenPages = false)
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
