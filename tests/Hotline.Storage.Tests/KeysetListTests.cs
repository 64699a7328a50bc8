using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Storage.Tests;

/// <summary>Keyset paging of ListAsync and ListRelatedAsync: order, completeness under concurrent writes, and cost.</summary>
public sealed class KeysetListTests
{
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

}
