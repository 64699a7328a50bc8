using System.Diagnostics;
using Hotline.Domain;
using LiteDB;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

/// <summary>
/// A watch stream's records name no request, yet a request's trail names every stream that could
/// have sent it (by snapshot or by change), and no stream that could not; reading it costs the
/// streams around the request, not every stream recorded.
/// </summary>
public sealed class StreamTrailTests(ITestOutputHelper output)
{
    private const string Anna = "op-anna";
    private const string Boris = "op-boris";
    private static readonly OperatorAccount Holder = TestData.Operator(1);

    [Fact]
    public async Task SnapshotStream_IsInTheTrailOfWhatItSent_NotOfRequestsOutsideItsSetOrCreatedAfterItEnded()
    {
        var time = new FakeTimeProvider(TestData.Start);
        using var store = TestStore.InMemory(time: time);
        var closedLongAgo = await SubmitAsync(store, "closed long ago");
        await CloseAsync(store, closedLongAgo);
        time.Advance(WorkingSets.Window + TimeSpan.FromHours(1));
        var closedRecently = await SubmitAsync(store, "closed recently");
        await CloseAsync(store, closedRecently);
        var open = await SubmitAsync(store, "open");

        // As a watch session does it: the set found, the stream recorded, the pages read, then a live change.
        var snapshot = await store.ReadWorkingSetAsync(WorkingSets.Window, CancellationToken.None).DefaultTimeout();
        var lease = await store.RecordWatchStartAsync(Anna, snapshot, CancellationToken.None).DefaultTimeout();
        await snapshot.ReadAllAsync();
        var live = await SubmitAsync(store, "sent live");
        var ended = store.CommittedRevision;
        await store.RecordWatchEndAsync(lease, ended, CancellationToken.None).DefaultTimeout();
        var afterEnd = await SubmitAsync(store, "created after the stream ended");

        var stream = Assert.Single(await StreamsInTrailAsync(store, live));
        Assert.Equal(Anna, stream.Actor);
        Assert.Equal(AuditAction.Watched, stream.Action);
        Assert.Equal(lease.Stream, stream.Sequence);
        Assert.Empty(stream.RequestIds);
        Assert.Equal(new WatchMark(lease.Stream, snapshot.Revision, snapshot.Revision, snapshot.ClosedSince, Ended: false), stream.Watch);
        Assert.Equal(new WatchMark(lease.Stream, snapshot.Revision, ended, null, Ended: true), stream.Reached);
        Assert.Equal([lease.Stream], (await StreamsInTrailAsync(store, open)).Select(r => r.Sequence));
        Assert.Equal([lease.Stream], (await StreamsInTrailAsync(store, closedRecently)).Select(r => r.Sequence));
        Assert.Empty(await StreamsInTrailAsync(store, closedLongAgo));
        Assert.Empty(await StreamsInTrailAsync(store, afterEnd));
        var verified = await store.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();
        Assert.True(verified.Intact, verified.Detail);
    }

    [Fact]
    public async Task ResumedStream_IsInTheTrailOfRequestsChangedWhileItRan_NotOfOnesUnchangedSinceItsStart()
    {
        using var store = TestStore.InMemory();
        var untouched = await SubmitAsync(store, "untouched");
        var touched = await SubmitAsync(store, "touched");
        var lease = await store.RecordWatchStartAsync(Anna, store.CommittedRevision, CancellationToken.None).DefaultTimeout();

        await store.ExecuteAsync(touched, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();
        await store.RecordWatchEndAsync(lease, store.CommittedRevision, CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(untouched, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();

        Assert.Equal([lease.Stream], (await StreamsInTrailAsync(store, touched)).Select(r => r.Sequence));
        Assert.Empty(await StreamsInTrailAsync(store, untouched));
    }

    [Fact]
    public async Task StreamWhoseEndWasNeverRecorded_CountsAsSentUpToItsLease_OneThatRecordedProgressBeyond()
    {
        using var store = TestStore.InMemory();
        // Anna's server "died" right after her stream opened: no progress, no end. Boris's recorded
        // how far it got before going past its lease, as a live stream must.
        var anna = await store.RecordWatchStartAsync(Anna, 0, CancellationToken.None).DefaultTimeout();
        var boris = await store.RecordWatchStartAsync(Boris, 0, CancellationToken.None).DefaultTimeout();
        Assert.Equal(WatchAudit.RevisionsPerRecord, anna.Until);
        var receipts = await Task.WhenAll(Enumerable.Range(0, (int)anna.Until + 2)
            .Select(i => store.SubmitAsync(TestData.Submission("r" + i), CancellationToken.None))).DefaultTimeout();
        boris = await store.RecordWatchProgressAsync(boris, anna.Until, CancellationToken.None).DefaultTimeout();
        await store.RecordWatchEndAsync(boris, store.CommittedRevision, CancellationToken.None).DefaultTimeout();

        // Only submissions so far: a request's number is the revision that created it.
        var lastInLease = receipts.Single(r => r.Number == anna.Until).RequestId;
        var pastLease = receipts.Single(r => r.Number == anna.Until + 1).RequestId;
        Assert.Equal([Anna, Boris], (await StreamsInTrailAsync(store, lastInLease)).Select(r => r.Actor));
        Assert.Equal([Boris], (await StreamsInTrailAsync(store, pastLease)).Select(r => r.Actor));
        var annas = (await StreamsInTrailAsync(store, lastInLease))[0];
        Assert.False(annas.Reached!.Ended);
        Assert.Equal(0, annas.Reached.Through);
    }

    [Fact]
    public async Task StreamRecords_AreChained_AndAnEditedRangeIsCaughtByVerify()
    {
        using var directory = new TempDirectory();
        long progressed;
        using (var store = TestStore.InDirectory(directory.Path))
        {
            await SubmitAsync(store, "one");
            var lease = await store.RecordWatchStartAsync(Anna, 0, CancellationToken.None).DefaultTimeout();
            lease = await store.RecordWatchProgressAsync(lease, 1, CancellationToken.None).DefaultTimeout();
            await store.RecordWatchEndAsync(lease, 1, CancellationToken.None).DefaultTimeout();
            var all = await store.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout();
            Assert.Equal([AuditAction.Submitted, AuditAction.Watched, AuditAction.WatchProgressed, AuditAction.WatchEnded],
                all.Records.Select(r => r.Action));
            Assert.Equal(1, all.Records[0].Revision);
            Assert.All(all.Records.Skip(1), r => Assert.Equal(lease.Stream, r.Watch!.Stream));
            Assert.True((await store.VerifyAuditAsync(CancellationToken.None).DefaultTimeout()).Intact);
            progressed = all.Records[2].Sequence;
        }
        using (var db = new LiteDatabase(Path.Combine(directory.Path, "hotline.db")))
        {
            // Narrowing what a stream was sent would hide it from trails: the hash covers it.
            var audit = db.GetCollection(AuditDocument.Collection);
            var record = audit.FindById(progressed);
            record[AuditDocument.WatchField]["through"] = 0L;
            audit.Update(record);
        }

        using var reopened = TestStore.InDirectory(directory.Path);
        var result = await reopened.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();

        Assert.False(result.Intact);
        Assert.Equal(AuditChainProblem.RecordAltered, result.Problem);
        Assert.Equal(progressed, result.Position);
    }

    [Fact]
    public async Task TrailOfARequest_ReadsTheStreamsAroundItsChanges_NotEveryStreamRecorded()
    {
        var time = new FakeTimeProvider(TestData.Start);
        using var store = TestStore.InMemory(time: time);
        var old = await SubmitAsync(store, "old");
        await CloseAsync(store, old);
        time.Advance(WorkingSets.Window + TimeSpan.FromHours(1));
        const int rounds = 20;
        const int streamsPerRound = 100;
        const int submitsPerRound = 250;
        for (var round = 0; round < rounds; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, submitsPerRound)
                .Select(i => store.SubmitAsync(TestData.Submission($"h{round}.{i}"), CancellationToken.None))).DefaultTimeout();
            var from = store.CommittedRevision;
            var leases = await Task.WhenAll(Enumerable.Range(0, streamsPerRound)
                .Select(_ => store.RecordWatchStartAsync(Anna, from, CancellationToken.None))).DefaultTimeout();
            await Task.WhenAll(leases.Select(l => store.RecordWatchEndAsync(l, from, CancellationToken.None))).DefaultTimeout();
            var snapshot = await store.ReadWorkingSetAsync(WorkingSets.Window, CancellationToken.None).DefaultTimeout();
            await store.RecordWatchEndAsync(await store.RecordWatchStartAsync(Boris, snapshot, CancellationToken.None).DefaultTimeout(),
                snapshot.Revision, CancellationToken.None).DefaultTimeout();
        }
        var recent = await SubmitAsync(store, "recent");
        const int streams = rounds * (streamsPerRound + 1);
        // Once first, so that the figures below are not the cost of compiling LiteDB's expressions.
        await StreamsInTrailAsync(store, await SubmitAsync(store, "warm-up"));

        var (oldStreams, oldRead, oldTime) = await MeasureTrailAsync(store, old);
        var (recentStreams, recentRead, recentTime) = await MeasureTrailAsync(store, recent);

        // The old request: closed before every stream and every snapshot window, so no record is read.
        Assert.Empty(oldStreams);
        Assert.Equal(0, oldRead);
        // The recent one: the records of streams within one lease below its revision, ended before it.
        Assert.Empty(recentStreams);
        var aroundIt = (int)Math.Ceiling((double)WatchAudit.RevisionsPerRecord / (submitsPerRound + 2)) * (streamsPerRound + 1) * 2;
        Assert.InRange(recentRead, 1, aroundIt);
        output.WriteLine($"{streams:N0} streams ({2 * streams:N0} records) over {store.CommittedRevision:N0} revisions: " +
            $"the trail of a request closed before them read {oldRead} stream records in {oldTime.TotalMilliseconds:F1} ms; " +
            $"of the newest request, {recentRead} in {recentTime.TotalMilliseconds:F1} ms");
    }

    private static async Task<(List<AuditRecord> Streams, long Read, TimeSpan Elapsed)> MeasureTrailAsync(LiteDbRequestStore store, string requestId)
    {
        var before = store.StreamIndexRecordsRead;
        var started = Stopwatch.GetTimestamp();
        var streams = await StreamsInTrailAsync(store, requestId);
        return (streams, store.StreamIndexRecordsRead - before, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<List<AuditRecord>> StreamsInTrailAsync(LiteDbRequestStore store, string requestId)
    {
        var trail = await store.ListAuditAsync(requestId, 0, 1_000, CancellationToken.None).DefaultTimeout();
        Assert.Null(trail.NextAfterSequence);
        Assert.All(trail.Records, r => Assert.True(r.RequestIds.Contains(requestId) || r.Action == AuditAction.Watched));
        return [.. trail.Records.Where(r => r.Action == AuditAction.Watched)];
    }

    private static async Task<string> SubmitAsync(LiteDbRequestStore store, string key) =>
        (await store.SubmitAsync(TestData.Submission(key), CancellationToken.None).DefaultTimeout()).RequestId;

    private static async Task CloseAsync(LiteDbRequestStore store, string id) =>
        await store.ExecuteAsync(id, new CloseCommand(Holder, Resolution.InformationGiven), CancellationToken.None).DefaultTimeout();
}
