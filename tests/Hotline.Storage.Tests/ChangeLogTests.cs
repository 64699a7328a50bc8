using Hotline.Domain;

namespace Hotline.Storage.Tests;

public sealed class ChangeLogTests
{
    private static async Task SubmitManyAsync(LiteDbRequestStore store, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await store.SubmitAsync(TestData.Submission("c-" + i), CancellationToken.None).DefaultTimeout();
        }
    }

    [Fact]
    public async Task ReadChanges_ReturnsARunInOrderUpToMax()
    {
        using var store = TestStore.InMemory();
        await SubmitManyAsync(store, 10);

        var run = await store.ReadChangesAsync(4, 3, CancellationToken.None).DefaultTimeout();
        var tail = await store.ReadChangesAsync(9, 100, CancellationToken.None).DefaultTimeout();
        var beyond = await store.ReadChangesAsync(11, 100, CancellationToken.None).DefaultTimeout();

        Assert.Equal([4L, 5L, 6L], run.Changes.Select(c => c.Revision));
        Assert.Equal([9L, 10L], tail.Changes.Select(c => c.Revision));
        Assert.Empty(beyond.Changes);
        Assert.False(beyond.Compacted);
    }

    [Fact]
    public async Task CompactAsync_DropsAllButTheNewestAndReportsCompacted()
    {
        using var directory = new TempDirectory();
        var options = new RequestStoreOptions { ChangeLogRetention = 10, CompactionInterval = 1_000_000 };
        using (var store = TestStore.InDirectory(directory.Path, options: options))
        {
            await SubmitManyAsync(store, 30);

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
        await SubmitManyAsync(store, 25);

        // The last automatic compaction ran at revision 20 and kept 16..20; 21..25 came after it.
        Assert.True((await store.ReadChangesAsync(15, 100, CancellationToken.None).DefaultTimeout()).Compacted);
        var kept = await store.ReadChangesAsync(16, 100, CancellationToken.None).DefaultTimeout();
        Assert.Equal(Enumerable.Range(16, 10).Select(n => (long)n), kept.Changes.Select(c => c.Revision));
    }

    [Fact]
    public async Task RevisionZeroOnAFreshLog_IsNotCompacted()
    {
        using var store = TestStore.InMemory();
        await SubmitManyAsync(store, 2);
        var replay = await store.ReadChangesAsync(0, 10, CancellationToken.None).DefaultTimeout();
        Assert.False(replay.Compacted);
        Assert.Equal(2, replay.Changes.Count);
        Assert.All(replay.Changes, c => Assert.Equal(ChangeKind.Created, c.Kind));
    }
}
