using Hotline.Domain;

namespace Hotline.Storage.Tests;

public sealed class ChangeLogTests
{
    [Fact]
    public async Task CompactAsync_DropsAllButTheNewestAndReportsCompacted()
    {
        using var directory = new TempDirectory();
        var options = new RequestStoreOptions { ChangeLogRetention = 10, CompactionInterval = 1_000_000 };
        using (var store = TestStore.InDirectory(directory.Path, options: options))
        {
            await StoreSteps.SubmitManyAsync(store, 30);

            var dropped = await store.CompactAsync(CancellationToken.None).DefaultTimeout();

            Assert.Equal(20, dropped);
            Assert.True((await store.ReadChangesAsync(1, 100, CancellationToken.None).DefaultTimeout()).Compacted);
            Assert.True((await store.ReadChangesAsync(20, 100, CancellationToken.None).DefaultTimeout()).Compacted);
            var kept = await store.ReadChangesAsync(21, 100, CancellationToken.None).DefaultTimeout();
            Assert.False(kept.Compacted);
            Assert.Equal(Enumerable.Range(21, 10).Select(n => (long)n), kept.Changes.Select(c => c.Revision));
            Assert.Equal(0, await store.CompactAsync(CancellationToken.None).DefaultTimeout());
            Assert.Equal(30, (await store.ReadWorkingSetAsync()).Requests.Count);
        }
        using var reopened = TestStore.InDirectory(directory.Path, options: options);
        Assert.True((await reopened.ReadChangesAsync(20, 100, CancellationToken.None).DefaultTimeout()).Compacted);
        Assert.Equal(10, (await reopened.ReadChangesAsync(21, 100, CancellationToken.None).DefaultTimeout()).Changes.Count);
    }

    [Fact]
    public async Task WriterCompactsByItselfEveryInterval()
    {
        using var store = TestStore.InMemory(options: new RequestStoreOptions { ChangeLogRetention = 5, CompactionInterval = 10 });
        await StoreSteps.SubmitManyAsync(store, 25);

        // The last automatic compaction ran at revision 20 and kept 16..20; 21..25 came after it.
        Assert.True((await store.ReadChangesAsync(15, 100, CancellationToken.None).DefaultTimeout()).Compacted);
        var kept = await store.ReadChangesAsync(16, 100, CancellationToken.None).DefaultTimeout();
        Assert.Equal(Enumerable.Range(16, 10).Select(n => (long)n), kept.Changes.Select(c => c.Revision));
    }

}
