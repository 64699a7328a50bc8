using Hotline.Domain;

namespace Hotline.Storage.Tests;

/// <summary>
/// Pages of a watch snapshot and of a change replay are bounded in bytes as well as in count, so a
/// stream over large requests holds little while its client takes a page; every request and every
/// change still arrives exactly once.
/// </summary>
public sealed class PageBytesTests
{
    /// <summary>About 16 KB sealed each (8,000 two-byte characters): two fit under the budget below, the third ends a page.</summary>
    private static readonly string LargeMessage = new('ж', 8_000);

    private static readonly RequestStoreOptions SmallPages = new() { ReadPageBytes = 40_000 };

    [Fact]
    public async Task WorkingSetOfLargeRequests_PagesStopAtTheByteBudget_EveryRequestOnce()
    {
        using var store = TestStore.InMemory(options: SmallPages);
        await StoreSteps.SubmitManyAsync(store, 20, LargeMessage);
        await store.SubmitAsync(TestData.Submission("small", "short"), CancellationToken.None).DefaultTimeout();

        var snapshot = await store.ReadWorkingSetAsync(WorkingSets.Window, CancellationToken.None).DefaultTimeout();
        var pages = new List<IReadOnlyList<HelpRequest>>();
        await foreach (var page in snapshot.ReadPagesAsync(100, CancellationToken.None))
        {
            pages.Add(page);
        }

        // Under the budget, then one more that crosses it; the one small request may share a page.
        Assert.All(pages, page => Assert.InRange(page.Count(r => r.Message.Length > 100), 1, 3));
        Assert.All(pages, page => Assert.InRange(page.Count, 1, 4));
        Assert.True(pages.Count >= 7, $"{pages.Count} pages for 21 requests of which 20 are large");
        var ids = pages.SelectMany(p => p.Select(r => r.Id)).ToList();
        Assert.Equal(21, ids.Count);
        Assert.Equal(21, ids.Distinct().Count());
    }

    [Fact]
    public async Task WorkingSetOfSmallRequests_PagesStillHoldPageSize()
    {
        using var store = TestStore.InMemory(options: SmallPages);
        await StoreSteps.SubmitManyAsync(store, 25, "Need help");

        var snapshot = await store.ReadWorkingSetAsync(WorkingSets.Window, CancellationToken.None).DefaultTimeout();
        var sizes = new List<int>();
        await foreach (var page in snapshot.ReadPagesAsync(10, CancellationToken.None))
        {
            sizes.Add(page.Count);
        }

        Assert.Equal([10, 10, 5], sizes);
    }

    [Fact]
    public async Task ReplayOfLargeChanges_RunsStopAtTheByteBudget_ReadingOnGivesEveryRevisionOnce()
    {
        using var store = TestStore.InMemory(options: SmallPages);
        await StoreSteps.SubmitManyAsync(store, 12, LargeMessage);

        var first = await store.ReadChangesAsync(1, 500, CancellationToken.None).DefaultTimeout();
        Assert.InRange(first.Changes.Count, 1, 3);
        Assert.True(first.More);
        Assert.Equal(first.Changes[^1].Revision, first.ReadThrough);

        var revisions = new List<long>();
        var from = 1L;
        ChangeReplay run;
        do
        {
            run = await store.ReadChangesAsync(from, 500, CancellationToken.None).DefaultTimeout();
            revisions.AddRange(run.Changes.Select(c => c.Revision));
            from = run.ReadThrough + 1;
        }
        while (run.More);

        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), revisions);
        Assert.Equal(store.CommittedRevision, run.ReadThrough);
    }
}
