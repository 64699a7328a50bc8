using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Storage.Tests;

public sealed class ListTests
{
    private static async Task<(LiteDbRequestStore Store, List<HelpRequest> All)> SeedAsync()
    {
        var time = new FakeTimeProvider(TestData.Start);
        var store = TestStore.InMemory(time: time);
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
}
