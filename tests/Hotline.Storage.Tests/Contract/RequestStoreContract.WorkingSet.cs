using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

public abstract partial class RequestStoreContract<TStore>
{
    [Fact]
    public async Task EmptyStore_WorkingSetIsEmptyAtRevisionZero()
    {
        using var store = await CreateStoreAsync();
        var workingSet = await store.ReadWorkingSetAsync();
        Assert.Empty(workingSet.Requests);
        Assert.Equal(0, workingSet.Revision);
        Assert.Equal(0, workingSet.Count);
    }

    [Fact]
    public async Task WorkingSet_HoldsOpenAndRecentlyClosed_NotThoseClosedBeforeTheWindow()
    {
        var time = new FakeTimeProvider(TestData.Start);
        using var store = await CreateStoreAsync(time: time);
        var newOld = await StoreSteps.SubmitAsync(store, "new, submitted long ago");
        var closedLongAgo = await StoreSteps.CloseAsync(store, await StoreSteps.SubmitAsync(store, "closed long ago"));
        var reopened = await StoreSteps.CloseAsync(store, await StoreSteps.SubmitAsync(store, "closed long ago, reopened"));
        time.Advance(TimeSpan.FromHours(30));
        var closedAtTheEdge = await StoreSteps.CloseAsync(store, await StoreSteps.SubmitAsync(store, "closed 36 hours before the read"));
        time.Advance(TimeSpan.FromHours(35));
        var closedRecently = await StoreSteps.CloseAsync(store, await StoreSteps.SubmitAsync(store, "closed an hour before the read"));
        var assigned = await StoreSteps.SubmitAsync(store, "assigned");
        await store.ExecuteAsync(assigned, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();
        var waiting = await StoreSteps.SubmitAsync(store, "waiting");
        await store.ExecuteAsync(waiting, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(waiting, new UpdateCommand(Holder, new RequestPatch { State = RequestState.Waiting }), CancellationToken.None)
            .DefaultTimeout();
        await store.ExecuteAsync(reopened, new ReopenCommand(Holder), CancellationToken.None).DefaultTimeout();
        time.Advance(TimeSpan.FromHours(1));

        var workingSet = await store.ReadWorkingSetAsync(TimeSpan.FromHours(36));

        Assert.Equal(new[] { newOld, reopened, closedAtTheEdge, closedRecently, assigned, waiting }.Order(StringComparer.Ordinal),
            workingSet.Requests.Select(r => r.Id));
        Assert.Equal(store.CommittedRevision, workingSet.Revision);
        Assert.Equal(6, workingSet.Count);
        Assert.Equal(RequestState.New, workingSet.Requests.Single(r => r.Id == reopened).State);
        foreach (var request in workingSet.Requests)
        {
            TestData.AssertSame((await store.GetAsync(request.Id, TestData.Reader, CancellationToken.None).DefaultTimeout())!, request);
        }
        Assert.DoesNotContain(closedLongAgo, workingSet.Requests.Select(r => r.Id));
        // A longer window reaches further back; the request is still there for ListRequests either way.
        Assert.Contains(closedLongAgo, (await store.ReadWorkingSetAsync(TimeSpan.FromDays(3))).Requests.Select(r => r.Id));
        var history = await store.ListAsync(new RequestQuery(), TestData.Reader, CancellationToken.None).DefaultTimeout();
        Assert.Contains(closedLongAgo, history.Requests.Select(r => r.Id));
    }

    [Fact]
    public async Task RequestsChangedOrPurgedAfterTheRevision_AreLeftOut_TheRestAreExactlyAtTheRevision()
    {
        using var store = await CreateStoreAsync();
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            // Each from someone else: earlier-contact counts are counted when a page is read, and a purge lowers them.
            ids.Add((await store.SubmitAsync(TestData.Submission("r" + i) with { ContactHandle = "@requester" + i }, CancellationToken.None)
                .DefaultTimeout()).RequestId);
        }
        var before = new Dictionary<string, HelpRequest>();
        foreach (var id in ids)
        {
            before[id] = (await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout())!;
        }
        var workingSet = await store.ReadWorkingSetAsync(WorkingSets.Window, CancellationToken.None).DefaultTimeout();

        var changed = ids[3];
        var purged = ids[7];
        await store.ExecuteAsync(changed, new AddNoteCommand(Holder, "called back"), CancellationToken.None).DefaultTimeout();
        Assert.True(await store.PurgeAsync(purged, "admin", CancellationToken.None).DefaultTimeout());
        var created = await StoreSteps.SubmitAsync(store, "after the revision");
        var pages = await workingSet.ReadAllAsync(pageSize: 4);

        Assert.Equal(10, workingSet.Count);
        Assert.Equal(ids.Except([changed, purged]).Order(StringComparer.Ordinal), pages.Select(r => r.Id));
        foreach (var request in pages)
        {
            TestData.AssertSame(before[request.Id], request);
            Assert.True(request.Revision <= workingSet.Revision);
        }
        // What was left out follows the revision in the change log, whole.
        var after = await store.ReadChangesAsync(workingSet.Revision + 1, 100, CancellationToken.None).DefaultTimeout();
        Assert.Equal([(changed, ChangeKind.NoteAdded), (purged, ChangeKind.Deleted), (created, ChangeKind.Created)],
            after.Changes.Select(c => (c.RequestId, c.Kind)));
        Assert.Equal("called back", Assert.Single(after.Changes[0].Request!.Notes).Text);
    }

    [Fact]
    public async Task WorkingSetsUnderConcurrentWrites_ReflectExactlyTheirRevisionAndReplayToTheFinalWorkingSet()
    {
        var time = new FakeTimeProvider(TestData.Start);
        using var store = await CreateStoreAsync(time: time);
        var history = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            history.Add(await StoreSteps.CloseAsync(store, await StoreSteps.SubmitAsync(store, "history " + i)));
        }
        time.Advance(WorkingSets.Window + TimeSpan.FromHours(1));
        var cutoff = time.GetUtcNow() - WorkingSets.Window;

        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var me = TestData.Operator(w);
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var receipt = await store.SubmitAsync(TestData.Submission($"w{w}-{i}"), CancellationToken.None);
                await store.ExecuteAsync(receipt.RequestId, new AssignCommand(me, me), CancellationToken.None);
                await store.ExecuteAsync(receipt.RequestId, new AddNoteCommand(me, "called back"), CancellationToken.None);
                if (i % 3 == 0)
                {
                    await store.ExecuteAsync(receipt.RequestId, new CloseCommand(me, Resolution.Referred), CancellationToken.None);
                }
                // Old history comes back now and then: each writer reopens its own share of the first half.
                if (i % 5 == 0 && w + (i / 5 * 4) is var h && h < history.Count / 2)
                {
                    await store.ExecuteAsync(history[h], new ReopenCommand(TestData.Supervisor), CancellationToken.None);
                }
                i++;
            }
        })).ToArray();

        var snapshots = new List<(List<HelpRequest> Requests, long Revision)>();
        while (snapshots.Count < 15)
        {
            await Task.Delay(10).DefaultTimeout();
            var (requests, revision, _) = await store.ReadWorkingSetAsync(pageSize: 7);
            snapshots.Add((requests, revision));
        }
        await stop.CancelAsync().DefaultTimeout();
        await Task.WhenAll(writers).DefaultTimeout();

        var log = await store.ReadWholeLogAsync();
        Assert.Equal(store.CommittedRevision, log[^1].Revision);
        var final = (await store.ReadWorkingSetAsync()).Requests.ToDictionary(r => r.Id);
        var leftOut = 0;
        foreach (var (requests, revision) in snapshots)
        {
            // The working set at R, from the log: each request as of its last change at or below R.
            var atRevision = log.Where(c => c.Revision <= revision)
                .GroupBy(c => c.RequestId)
                .Select(g => g.MaxBy(c => c.Revision)!.Request!)
                .Where(r => r.State != RequestState.Closed || r.CloseTime >= cutoff)
                .ToDictionary(r => r.Id);
            foreach (var request in requests)
            {
                Assert.True(atRevision.TryGetValue(request.Id, out var expected), "only requests of the working set at R");
                TestData.AssertSame(expected, request);
            }
            var changedAfter = log.Where(c => c.Revision > revision).Select(c => c.RequestId).ToHashSet();
            foreach (var id in atRevision.Keys.Except(requests.Select(r => r.Id)))
            {
                Assert.Contains(id, changedAfter);
                leftOut++;
            }

            var copy = requests.ToDictionary(r => r.Id);
            foreach (var change in await store.ReadWholeLogAsync(revision + 1))
            {
                copy[change.RequestId] = change.Request!;
            }
            Assert.Equal(final.Keys.Order(), copy.Keys.Order());
            foreach (var (id, request) in final)
            {
                TestData.AssertSame(request, copy[id]);
            }
        }
        var reopened = history.Count(final.ContainsKey);
        output.WriteLine($"working sets: {snapshots.Count}, revisions: {string.Join(",", snapshots.Select(s => s.Revision))}, " +
            $"final revision: {store.CommittedRevision}, left out as changed after R: {leftOut}, old history reopened: {reopened}");
        Assert.True(snapshots.Select(s => s.Revision).Distinct().Count() > 1, "the writers never moved between snapshots");
        Assert.True(reopened > 0, "no old request was reopened");
        Assert.DoesNotContain(history.Skip(history.Count / 2), final.ContainsKey);
    }
}
