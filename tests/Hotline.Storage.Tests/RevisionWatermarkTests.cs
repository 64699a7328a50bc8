using Hotline.Domain;

namespace Hotline.Storage.Tests;

/// <summary>
/// The revision watermark lives among the requests (see <see cref="RevisionWatermark"/>); no read,
/// list, count or purge may take it for one.
/// </summary>
public sealed class RevisionWatermarkTests
{
    private const string WatermarkId = "~revision";

    [Fact]
    public async Task TheWatermark_IsNoRequestToAnyReadListCountOrPurge()
    {
        using var store = TestStore.InMemory();
        var open = await StoreSteps.SubmitAsync(store, "open");
        var closed = await StoreSteps.CloseAsync(store, await StoreSteps.SubmitAsync(store, "closed"));

        Assert.Null(await store.OutlineAsync(WatermarkId, CancellationToken.None).DefaultTimeout());
        Assert.False(await store.PurgeAsync(WatermarkId, "admin", CancellationToken.None).DefaultTimeout());
        Assert.Equal(1, await store.CountClosedBeforeAsync(DateTimeOffset.MaxValue, CancellationToken.None).DefaultTimeout());
        // Each order either walks an index over the whole collection or sorts all of it in memory.
        foreach (var order in new[] { "number", "number desc", "create_time", "update_time desc", "urgency desc, update_time", "" })
        {
            var page = await store.ListAsync(new RequestQuery { Order = QuerySyntax.ParseOrder(order) }, TestData.Reader, CancellationToken.None).DefaultTimeout();
            Assert.Equal(new HashSet<string> { open, closed }, page.Requests.Select(r => r.Id).ToHashSet());
            Assert.Equal(2, page.TotalSize);
        }
        var (requests, revision, _) = await store.ReadWorkingSetAsync();
        Assert.Equal(new HashSet<string> { open, closed }, requests.Select(r => r.Id).ToHashSet());
        Assert.Equal(store.CommittedRevision, revision);
    }
}
