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
    private static readonly OperatorAccount Holder = TestData.Operator(1);

    [Fact]
    public async Task StreamRecords_AreChained_AndAnEditedRangeIsCaughtByVerify()
    {
        using var directory = new TempDirectory();
        long progressed;
        using (var store = TestStore.InDirectory(directory.Path))
        {
            await StoreSteps.SubmitAsync(store, "one");
            var lease = await store.RecordWatchStartAsync(StoreSteps.Anna, 0, CancellationToken.None).DefaultTimeout();
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
        var old = await StoreSteps.SubmitAsync(store, "old");
        await StoreSteps.CloseAsync(store, old);
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
                .Select(_ => store.RecordWatchStartAsync(StoreSteps.Anna, from, CancellationToken.None))).DefaultTimeout();
            await Task.WhenAll(leases.Select(l => store.RecordWatchEndAsync(l, from, CancellationToken.None))).DefaultTimeout();
            var snapshot = await store.ReadWorkingSetAsync(WorkingSets.Window, CancellationToken.None).DefaultTimeout();
            await store.RecordWatchEndAsync(await store.RecordWatchStartAsync(StoreSteps.Boris, snapshot, CancellationToken.None).DefaultTimeout(),
                snapshot.Revision, CancellationToken.None).DefaultTimeout();
        }
        var recent = await StoreSteps.SubmitAsync(store, "recent");
        const int streams = rounds * (streamsPerRound + 1);
        // Once first, so that the figures below are not the cost of compiling LiteDB's expressions.
        await StoreSteps.StreamsInTrailAsync(store, await StoreSteps.SubmitAsync(store, "warm-up"));

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
        var streams = await StoreSteps.StreamsInTrailAsync(store, requestId);
        return (streams, store.StreamIndexRecordsRead - before, Stopwatch.GetElapsedTime(started));
    }
}
