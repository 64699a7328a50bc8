using System.Diagnostics;
using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

public abstract partial class RequestStoreContract<TStore>
{
    [Fact]
    public async Task AccountChanges_AreChainedNamingActorAndAccount_AndNoOpsAreNot()
    {
        using var store = await CreateStoreAsync();
        var tokenHash = AccessTokens.Hash(AccessTokens.New());
        var newHash = AccessTokens.Hash(AccessTokens.New());
        await store.ExecuteAsync(new AddOperatorCommand("anna", "Anna K.", Role.Operator, tokenHash), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(new SetDisabledCommand("anna", Disabled: true), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(new SetDisabledCommand("anna", Disabled: true), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(new SetDisabledCommand("anna", Disabled: false), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(new ReplaceTokenCommand("anna", newHash), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(new ReplaceTokenCommand("anna", null, OnlyIfCurrent: tokenHash) { Actor = "anna" }, CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(new ReplaceTokenCommand("anna", null, OnlyIfCurrent: newHash) { Actor = "anna" }, CancellationToken.None).DefaultTimeout();
        await Assert.ThrowsAsync<DomainException>(() =>
            store.ExecuteAsync(new SetDisabledCommand("nobody", Disabled: true), CancellationToken.None).DefaultTimeout());

        var all = (await store.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout()).Records;

        Assert.Equal(
            [AuditAction.OperatorAdded, AuditAction.OperatorDisabled, AuditAction.OperatorEnabled, AuditAction.OperatorTokenRotated,
                AuditAction.OperatorTokenRevoked],
            all.Select(r => r.Action));
        Assert.All(all, r => Assert.Equal("anna", r.OperatorId));
        Assert.All(all, r => Assert.Empty(r.RequestIds));
        Assert.Equal(["admin", "admin", "admin", "admin", "anna"], all.Select(r => r.Actor));
        var verified = await store.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();
        Assert.True(verified.Intact, verified.Detail);
        Assert.Equal(5, verified.RecordsChecked);
    }

    [Fact]
    public async Task Outline_ShowsOnlyClearFields_AndCountClosedBefore_MatchesWhatAPurgeTakes()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestData.Start);
        using var store = await CreateStoreAsync(time: time);
        var holder = TestData.Operator(1);
        var closed = (await store.SubmitAsync(TestData.Submission("c"), CancellationToken.None).DefaultTimeout()).RequestId;
        var open = (await store.SubmitAsync(TestData.Submission("o"), CancellationToken.None).DefaultTimeout()).RequestId;
        await store.ExecuteAsync(closed, new AssignCommand(holder, holder), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(closed, new CloseCommand(holder, Resolution.Referred), CancellationToken.None).DefaultTimeout();
        time.Advance(TimeSpan.FromDays(3));
        var auditBefore = (await store.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout()).Records.Count;

        var outline = await store.OutlineAsync(closed, CancellationToken.None).DefaultTimeout();

        Assert.Equal(RequestState.Closed, outline!.State);
        Assert.Equal(TestData.Start, outline.CloseTime);
        Assert.Null(await store.OutlineAsync("nonexistent", CancellationToken.None).DefaultTimeout());
        Assert.Null((await store.OutlineAsync(open, CancellationToken.None).DefaultTimeout())!.CloseTime);
        Assert.Equal(auditBefore, (await store.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout()).Records.Count);
        Assert.Equal(1, await store.CountClosedBeforeAsync(time.GetUtcNow().AddDays(-1), CancellationToken.None).DefaultTimeout());
        Assert.Equal(0, await store.CountClosedBeforeAsync(TestData.Start, CancellationToken.None).DefaultTimeout());
        Assert.Equal(1, await store.PurgeClosedBeforeAsync(time.GetUtcNow().AddDays(-1), "admin", CancellationToken.None).DefaultTimeout());
        Assert.Null(await store.OutlineAsync(closed, CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public async Task Verify_OverATrailLongerThanOneReadChunk_ChecksEveryRecordOnce()
    {
        using var store = await CreateStoreAsync();
        var ids = await Task.WhenAll(Enumerable.Range(0, 1_300).Select(i => store.SubmitAsync(TestData.Submission("v" + i), CancellationToken.None)))
            .DefaultTimeout();
        await Task.WhenAll(ids.Take(900).Select(r => store.GetAsync(r.RequestId, TestData.Reader, CancellationToken.None))).DefaultTimeout();

        var verified = await store.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();

        Assert.True(verified.Intact, verified.Detail);
        // Every submit and every read wrote one record, read in chunks of 1,000 that must join without a gap or a repeat.
        Assert.Equal(2_200, verified.RecordsChecked);
        Assert.Equal(verified.HeadSequence, verified.RecordsChecked);
    }

    [Fact]
    public async Task ListAudit_PagesOldestFirstWithoutGapsOrRepeats()
    {
        using var store = await CreateStoreAsync();
        var id = (await store.SubmitAsync(TestData.Submission("p"), CancellationToken.None).DefaultTimeout()).RequestId;
        for (var i = 0; i < 7; i++)
        {
            await store.GetAsync(id, "reader-" + i, CancellationToken.None).DefaultTimeout();
        }

        var seen = new List<long>();
        long after = 0;
        while (true)
        {
            var page = await store.ListAuditAsync(id, after, 3, CancellationToken.None).DefaultTimeout();
            seen.AddRange(page.Records.Select(r => r.Sequence));
            if (page.NextAfterSequence is not { } next)
            {
                break;
            }
            after = next;
        }

        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task SnapshotStream_IsInTheTrailOfWhatItSent_NotOfRequestsOutsideItsSetOrCreatedAfterItEnded()
    {
        var time = new FakeTimeProvider(TestData.Start);
        using var store = await CreateStoreAsync(time: time);
        var closedLongAgo = await StoreSteps.SubmitAsync(store, "closed long ago");
        await StoreSteps.CloseAsync(store, closedLongAgo);
        time.Advance(WorkingSets.Window + TimeSpan.FromHours(1));
        var closedRecently = await StoreSteps.SubmitAsync(store, "closed recently");
        await StoreSteps.CloseAsync(store, closedRecently);
        var open = await StoreSteps.SubmitAsync(store, "open");

        // As a watch session does it: the set found, the stream recorded, the pages read, then a live change.
        var snapshot = await store.ReadWorkingSetAsync(WorkingSets.Window, CancellationToken.None).DefaultTimeout();
        var lease = await store.RecordWatchStartAsync(StoreSteps.Anna, snapshot, CancellationToken.None).DefaultTimeout();
        await snapshot.ReadAllAsync();
        var live = await StoreSteps.SubmitAsync(store, "sent live");
        var ended = store.CommittedRevision;
        await store.RecordWatchEndAsync(lease, ended, CancellationToken.None).DefaultTimeout();
        var afterEnd = await StoreSteps.SubmitAsync(store, "created after the stream ended");

        var stream = Assert.Single(await StoreSteps.StreamsInTrailAsync(store, live));
        Assert.Equal(StoreSteps.Anna, stream.Actor);
        Assert.Equal(AuditAction.Watched, stream.Action);
        Assert.Equal(lease.Stream, stream.Sequence);
        Assert.Empty(stream.RequestIds);
        Assert.Equal(new WatchMark(lease.Stream, snapshot.Revision, snapshot.Revision, snapshot.ClosedSince, Ended: false), stream.Watch);
        Assert.Equal(new WatchMark(lease.Stream, snapshot.Revision, ended, null, Ended: true), stream.Reached);
        Assert.Equal([lease.Stream], (await StoreSteps.StreamsInTrailAsync(store, open)).Select(r => r.Sequence));
        Assert.Equal([lease.Stream], (await StoreSteps.StreamsInTrailAsync(store, closedRecently)).Select(r => r.Sequence));
        Assert.Empty(await StoreSteps.StreamsInTrailAsync(store, closedLongAgo));
        Assert.Empty(await StoreSteps.StreamsInTrailAsync(store, afterEnd));
        var verified = await store.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();
        Assert.True(verified.Intact, verified.Detail);
    }

    [Fact]
    public async Task ResumedStream_IsInTheTrailOfRequestsChangedWhileItRan_NotOfOnesUnchangedSinceItsStart()
    {
        using var store = await CreateStoreAsync();
        var untouched = await StoreSteps.SubmitAsync(store, "untouched");
        var touched = await StoreSteps.SubmitAsync(store, "touched");
        var lease = await store.RecordWatchStartAsync(StoreSteps.Anna, store.CommittedRevision, CancellationToken.None).DefaultTimeout();

        await store.ExecuteAsync(touched, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();
        await store.RecordWatchEndAsync(lease, store.CommittedRevision, CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(untouched, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();

        Assert.Equal([lease.Stream], (await StoreSteps.StreamsInTrailAsync(store, touched)).Select(r => r.Sequence));
        Assert.Empty(await StoreSteps.StreamsInTrailAsync(store, untouched));
    }

    [Fact]
    public async Task StreamWhoseEndWasNeverRecorded_CountsAsSentUpToItsLease_OneThatRecordedProgressBeyond()
    {
        using var store = await CreateStoreAsync();
        // StoreSteps.Anna's server "died" right after her stream opened: no progress, no end. StoreSteps.Boris's recorded
        // how far it got before going past its lease, as a live stream must.
        var anna = await store.RecordWatchStartAsync(StoreSteps.Anna, 0, CancellationToken.None).DefaultTimeout();
        var boris = await store.RecordWatchStartAsync(StoreSteps.Boris, 0, CancellationToken.None).DefaultTimeout();
        Assert.Equal(WatchAudit.RevisionsPerRecord, anna.Until);
        var receipts = await Task.WhenAll(Enumerable.Range(0, (int)anna.Until + 2)
            .Select(i => store.SubmitAsync(TestData.Submission("r" + i), CancellationToken.None))).DefaultTimeout();
        boris = await store.RecordWatchProgressAsync(boris, anna.Until, CancellationToken.None).DefaultTimeout();
        await store.RecordWatchEndAsync(boris, store.CommittedRevision, CancellationToken.None).DefaultTimeout();

        // Only submissions so far: a request's number is the revision that created it.
        var lastInLease = receipts.Single(r => r.Number == anna.Until).RequestId;
        var pastLease = receipts.Single(r => r.Number == anna.Until + 1).RequestId;
        Assert.Equal([StoreSteps.Anna, StoreSteps.Boris], (await StoreSteps.StreamsInTrailAsync(store, lastInLease)).Select(r => r.Actor));
        Assert.Equal([StoreSteps.Boris], (await StoreSteps.StreamsInTrailAsync(store, pastLease)).Select(r => r.Actor));
        var annas = (await StoreSteps.StreamsInTrailAsync(store, lastInLease))[0];
        Assert.False(annas.Reached!.Ended);
        Assert.Equal(0, annas.Reached.Through);
    }
}
