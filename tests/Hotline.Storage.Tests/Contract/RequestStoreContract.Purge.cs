using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Storage.Tests;

public abstract partial class RequestStoreContract<TStore>
{
    [Fact]
    public async Task PurgeClosedBefore_RemovesOnlyRequestsClosedBeforeTheCutoff_InRounds()
    {
        var time = new FakeTimeProvider(TestData.Start);
        var listener = new RecordingListener();
        using var store = await CreateStoreAsync(listener, time: time);
        var holder = TestData.Operator(1);
        async Task<string> Closed(string key)
        {
            var id = (await store.SubmitAsync(TestData.Submission(key), CancellationToken.None).DefaultTimeout()).RequestId;
            await store.ExecuteAsync(id, new CloseCommand(holder, Resolution.Spam), CancellationToken.None).DefaultTimeout();
            return id;
        }
        var old = new List<string>();
        for (var i = 0; i < PurgeRoundSize + 3; i++)
        {
            old.Add(await Closed("old-" + i));
        }
        var openOld = (await store.SubmitAsync(TestData.Submission("open-old"), CancellationToken.None).DefaultTimeout()).RequestId;
        time.Advance(TimeSpan.FromDays(31));
        var recent = await Closed("recent");

        var purged = await store.PurgeClosedBeforeAsync(time.GetUtcNow() - TimeSpan.FromDays(30), "retention", CancellationToken.None).DefaultTimeout();

        Assert.Equal(old.Count, purged);
        var left = await store.ListAsync(new RequestQuery(), TestData.Reader, CancellationToken.None).DefaultTimeout();
        Assert.Equal(new HashSet<string> { openOld, recent }, left.Requests.Select(r => r.Id).ToHashSet());
        // On PostgreSQL the listener is fed by a follower that reads the change log after the commit,
        // so the purge can answer before the listener has seen its DELETED changes.
        listener.WaitForRevision(store.CommittedRevision);
        var deleted = listener.Changes.Where(c => c.Kind == ChangeKind.Deleted).ToList();
        Assert.Equal(old.ToHashSet(), deleted.Select(c => c.RequestId).ToHashSet());
        Assert.All(deleted, c => Assert.Equal("retention", c.Actor));
        var runs = (await store.ListAuditAsync(null, 0, 10_000, CancellationToken.None).DefaultTimeout()).Records
            .Where(r => r.Action == AuditAction.RetentionRun).ToList();
        Assert.Equal(2, runs.Count);
        Assert.Equal(old.Count, runs.Sum(r => r.RequestIds.Count));
        Assert.Equal(0, await store.PurgeClosedBeforeAsync(time.GetUtcNow() - TimeSpan.FromDays(30), "retention", CancellationToken.None).DefaultTimeout());
        Assert.True((await store.VerifyAuditAsync(CancellationToken.None).DefaultTimeout()).Intact);
    }

    [Fact]
    public async Task AWatcherResumingFromBeforeAPurge_GetsTheDeletionButNoneOfTheContent()
    {
        using var store = await CreateStoreAsync();
        var id = (await store.SubmitAsync(TestData.Submission("gone"), CancellationToken.None).DefaultTimeout()).RequestId;
        await store.ExecuteAsync(id, new AddNoteCommand(TestData.Operator(1), "note"), CancellationToken.None).DefaultTimeout();
        await store.PurgeAsync(id, "admin", CancellationToken.None).DefaultTimeout();

        var replay = await store.ReadChangesAsync(1, 100, CancellationToken.None).DefaultTimeout();

        var change = Assert.Single(replay.Changes);
        Assert.Equal((ChangeKind.Deleted, id, 3L), (change.Kind, change.RequestId, change.Revision));
        Assert.Null(change.Request);
    }
}
