using Hotline.Domain;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

public sealed class SnapshotTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EmptyStore_SnapshotIsEmptyAtRevisionZero()
    {
        using var store = TestStore.InMemory();
        var snapshot = await store.ReadSnapshotAsync(CancellationToken.None).DefaultTimeout();
        Assert.Empty(snapshot.Requests);
        Assert.Equal(0, snapshot.Revision);
    }

    [Fact]
    public async Task SnapshotsUnderConcurrentWrites_ReflectExactlyTheirRevisionAndReplayToTheFinalState()
    {
        using var store = TestStore.InMemory();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var me = TestData.Operator(w);
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var receipt = await store.SubmitAsync(TestData.Submission($"w{w}-{i++}"), CancellationToken.None);
                await store.ExecuteAsync(receipt.RequestId, new AssignCommand(me, me), CancellationToken.None);
                await store.ExecuteAsync(receipt.RequestId, new AddNoteCommand(me, "called back"), CancellationToken.None);
            }
        })).ToArray();

        var snapshots = new List<StoreSnapshot>();
        while (snapshots.Count < 15)
        {
            await Task.Delay(10).DefaultTimeout();
            snapshots.Add(await store.ReadSnapshotAsync(CancellationToken.None).DefaultTimeout());
        }
        await stop.CancelAsync().DefaultTimeout();
        await Task.WhenAll(writers).DefaultTimeout();

        var log = await store.ReadChangesAsync(1, int.MaxValue, CancellationToken.None).DefaultTimeout();
        Assert.Equal(store.CommittedRevision, log.Changes[^1].Revision);
        var final = (await store.ReadSnapshotAsync(CancellationToken.None).DefaultTimeout()).Requests.ToDictionary(r => r.Id);
        foreach (var snapshot in snapshots)
        {
            // Exactly the changes at or below R: each request's version is its last change at or below R.
            var expectedRevisions = log.Changes.Where(c => c.Revision <= snapshot.Revision)
                .GroupBy(c => c.RequestId).ToDictionary(g => g.Key, g => g.Max(c => c.Revision));
            Assert.Equal(expectedRevisions.OrderBy(e => e.Key), snapshot.Requests.ToDictionary(r => r.Id, r => r.Revision).OrderBy(e => e.Key));

            var copy = snapshot.Requests.ToDictionary(r => r.Id);
            var replay = await store.ReadChangesAsync(snapshot.Revision + 1, int.MaxValue, CancellationToken.None).DefaultTimeout();
            Assert.False(replay.Compacted);
            foreach (var change in replay.Changes)
            {
                copy[change.RequestId] = change.Request!;
            }
            Assert.Equal(final.Keys.Order(), copy.Keys.Order());
            foreach (var (id, request) in final)
            {
                TestData.AssertSame(request, copy[id]);
            }
        }
        output.WriteLine($"snapshots: {snapshots.Count}, revisions: {string.Join(",", snapshots.Select(s => s.Revision))}, final revision: {store.CommittedRevision}");
        Assert.True(snapshots.Select(s => s.Revision).Distinct().Count() > 1, "the writers never moved between snapshots");
    }
}
