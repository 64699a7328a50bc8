using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Hotline.Contract.Client;
using Hotline.Contract.V1;
using Hotline.Server.Tests.StoreSelection;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// Two real server processes on one PostgreSQL database, each with its own data directory and
/// port on 127.0.0.1: intake and claims through both at once, fifty operators racing for the same
/// requests across both, watchers on each comparing the whole change sequence; then one server
/// killed with SIGKILL while both take submissions. The figures printed are the closing note's;
/// the requests are synthetic and nothing of them is printed.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class MultiServerTests(PostgresClusterFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresClusterFixture>, IDisposable
{
    private const int Seed = 16;
    private const int IntakeIds = 120;
    private const int IntakeCallers = 12;
    private const int RacedRequests = 20;
    private const int SubmittersPerServer = 6;
    private const int MaxSubmitsPerSubmitter = 400;
    private const string Watcher = ServerProcess.Supervisor;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly List<string> _directories = [];

    [Fact]
    public async Task TwoServersOnOneDatabase_IntakeAndClaimRacesThroughBoth_OneWinnerEach_WatchersSeeOneSequence()
    {
        var database = await SeedAsync();
        await using var first = Launch(database);
        await using var second = Launch(database);
        await Task.WhenAll(first.WaitUntilListeningAsync(Bound), second.WaitUntilListeningAsync(Bound));
        using var stop = new CancellationTokenSource();
        var onFirst = FeedRecorder.Start(first.Requests, Watcher, stop.Token);
        var onSecond = FeedRecorder.Start(second.Requests, Watcher, stop.Token);
        var snapshot = await onFirst.SnapshotEnded.DefaultTimeout();
        Assert.Equal(snapshot, await onSecond.SnapshotEnded.DefaultTimeout());

        // Every request id is sent to both servers at the same moment, as a gateway retrying on another replica would.
        var receipts = new ConcurrentDictionary<string, SubmitRequestResponse[]>(StringComparer.Ordinal);
        var nextId = -1;
        await Task.WhenAll(Enumerable.Range(0, IntakeCallers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref nextId)) < IntakeIds)
            {
                var id = $"both-{i}";
                receipts[id] = await Task.WhenAll(
                    first.Intakes.SubmitRequestAsync(Submission(id), ServerProcess.As(ServerProcess.Intake)).ResponseAsync,
                    second.Intakes.SubmitRequestAsync(Submission(id), ServerProcess.As(ServerProcess.Intake)).ResponseAsync);
            }
        }))).WaitAsync(Bound);
        Assert.Equal(IntakeIds, receipts.Count);
        Assert.All(receipts.Values, pair =>
        {
            Assert.Equal(pair[0].Name, pair[1].Name);
            Assert.Equal(1, pair.Count(r => !r.Duplicate));
        });
        Assert.Equal(IntakeIds, receipts.Values.Select(p => p[0].Name).Distinct(StringComparer.Ordinal).Count());

        var random = new Random(Seed);
        var raced = receipts.Keys.Order(StringComparer.Ordinal).Take(RacedRequests).Select(id => receipts[id][0].Name).ToArray();
        var refused = 0;
        var winsBy = new int[2];
        foreach (var name in raced)
        {
            // Each operator's attempt goes to a server picked at random (seeded), all released at once.
            var servers = Enumerable.Range(0, HotlineTestServer.OperatorCount).Select(_ => random.Next(2)).ToArray();
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = Enumerable.Range(1, HotlineTestServer.OperatorCount).Select(i => Task.Run(async () =>
            {
                var server = servers[i - 1] == 0 ? first : second;
                var me = HotlineTestServer.OperatorId(i);
                await go.Task;
                try
                {
                    var assigned = await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, ServerProcess.As(me));
                    return new ClaimAttempt(me, servers[i - 1], Won: true, assigned.Request.Assignee);
                }
                catch (RpcException error) when (error.StatusCode == StatusCode.FailedPrecondition)
                {
                    var info = RpcAssert.ErrorInfo(error);
                    Assert.Equal("ALREADY_ASSIGNED", info.Reason);
                    return new ClaimAttempt(me, servers[i - 1], Won: false, info.Metadata["assignee"]);
                }
            })).ToArray();
            go.SetResult();
            var results = await Task.WhenAll(attempts).WaitAsync(Bound);

            var winner = Assert.Single(results, r => r.Won);
            Assert.All(results, r => Assert.Equal("operators/" + winner.Operator, r.Holder));
            var otherServer = winner.Server == 0 ? second : first;
            var stored = await otherServer.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, ServerProcess.As(Watcher)).ResponseAsync.DefaultTimeout();
            Assert.Equal("operators/" + winner.Operator, stored.Request.Assignee);
            winsBy[winner.Server]++;
            refused += results.Length - 1;
        }

        var head = (await first.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 1 }, ServerProcess.As(Watcher)).ResponseAsync.DefaultTimeout()).Revision;
        await Task.WhenAll(onFirst.WaitForRevisionAsync(head, Bound), onSecond.WaitForRevisionAsync(head, Bound));
        await stop.CancelAsync();
        await Task.WhenAll(onFirst.Running, onSecond.Running).DefaultTimeout();

        var seenFirst = onFirst.Changes;
        var seenSecond = onSecond.Changes;
        output.WriteLine($"two servers, one PostgreSQL database (seed {Seed})");
        output.WriteLine($"intake: {IntakeIds} request ids each sent to both servers at once by {IntakeCallers} callers: {IntakeIds} stored, {IntakeIds} answered as duplicates with the same receipt");
        output.WriteLine($"claim races: {RacedRequests} requests x {HotlineTestServer.OperatorCount} operators (attempts split at random across both servers): "
            + $"{winsBy.Sum()} winners (one per request; {winsBy[0]} through the first server, {winsBy[1]} through the second), {refused} refused ALREADY_ASSIGNED naming the holder");
        output.WriteLine($"watchers: first server {seenFirst.Count} changes, second server {seenSecond.Count} changes, revisions {snapshot + 1}..{head}; "
            + $"gaps {Gaps(seenFirst, snapshot)} / {Gaps(seenSecond, snapshot)}, duplicates {Duplicates(seenFirst)} / {Duplicates(seenSecond)}, sequences identical: {seenFirst.SequenceEqual(seenSecond)}");

        Assert.Equal(IntakeIds + RacedRequests, seenFirst.Count);
        AssertContiguous(seenFirst, snapshot, head);
        Assert.Equal(seenFirst, seenSecond);
        Assert.Equal(IntakeIds, seenFirst.Count(c => c.Kind == ChangeKind.Created));
        Assert.Equal(raced.Order(StringComparer.Ordinal), seenFirst.Where(c => c.Kind == ChangeKind.Assigned).Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal((0, 0), (onFirst.Failures, onSecond.Failures));
    }

    [Fact]
    public async Task OneServerKilledUnderLoad_NothingAcknowledgedIsLost_ItsWatcherResumesOnTheSurvivorWithoutGapOrDuplicate()
    {
        var database = await SeedAsync();
        await using var doomed = Launch(database);
        await using var survivor = Launch(database);
        await Task.WhenAll(doomed.WaitUntilListeningAsync(Bound), survivor.WaitUntilListeningAsync(Bound));
        using var failover = HotlineChannel.Create([doomed.Address, survivor.Address]);
        using var stop = new CancellationTokenSource();
        var moving = FeedRecorder.Start(new RequestService.RequestServiceClient(failover), Watcher, stop.Token);
        var staying = FeedRecorder.Start(survivor.Requests, Watcher, stop.Token);
        var snapshot = await moving.SnapshotEnded.DefaultTimeout();
        Assert.Equal(snapshot, await staying.SnapshotEnded.DefaultTimeout());

        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var inDoubt = new ConcurrentBag<string>();
        var byDoomed = 0;
        using var submitting = new CancellationTokenSource();
        async Task SubmitAsync(ServerProcess server, string prefix)
        {
            for (var j = 0; j < MaxSubmitsPerSubmitter && !submitting.IsCancellationRequested; j++)
            {
                var id = $"{prefix}-{j}";
                try
                {
                    var receipt = await server.Intakes.SubmitRequestAsync(Submission(id), ServerProcess.As(ServerProcess.Intake));
                    acknowledged[id] = receipt.Name;
                    if (server == doomed)
                    {
                        Interlocked.Increment(ref byDoomed);
                    }
                }
                catch (RpcException) when (server == doomed)
                {
                    // In flight at the kill: stored or not, nobody was told. Retried below through the survivor.
                    inDoubt.Add(id);
                    return;
                }
            }
        }
        var submitters = Enumerable.Range(0, SubmittersPerServer)
            .SelectMany(i => new[] { Task.Run(() => SubmitAsync(doomed, $"a{i}")), Task.Run(() => SubmitAsync(survivor, $"b{i}")) }).ToArray();
        await WaitUntilAsync(() => Volatile.Read(ref byDoomed) >= 100);

        var killedAt = Stopwatch.GetTimestamp();
        var pid = doomed.Pid;
        await doomed.KillHardAsync();
        var ackedByDoomed = Volatile.Read(ref byDoomed);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await submitting.CancelAsync();
        await Task.WhenAll(submitters).WaitAsync(Bound);

        // An integration retries what it was not told about with the same request_id; duplicate says the dead server had stored it.
        var storedUnacknowledged = 0;
        foreach (var id in inDoubt)
        {
            var retried = await survivor.Intakes.SubmitRequestAsync(Submission(id), ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
            storedUnacknowledged += retried.Duplicate ? 1 : 0;
            acknowledged[id] = retried.Name;
        }

        var stored = new HashSet<string>(StringComparer.Ordinal);
        long head = 0;
        var page = new ListRequestsRequest { PageSize = 1000 };
        do
        {
            var listed = await survivor.Requests.ListRequestsAsync(page, ServerProcess.As(Watcher)).ResponseAsync.DefaultTimeout();
            stored.UnionWith(listed.Requests.Select(r => r.Name));
            head = Math.Max(head, listed.Revision);
            page.PageToken = listed.NextPageToken;
        }
        while (page.PageToken.Length > 0);
        var lost = acknowledged.Values.Count(name => !stored.Contains(name));

        await Task.WhenAll(moving.WaitForRevisionAsync(head, Bound), staying.WaitForRevisionAsync(head, Bound));
        await stop.CancelAsync();
        await Task.WhenAll(moving.Running, staying.Running).DefaultTimeout();
        var seenMoving = moving.Changes;
        var seenStaying = staying.Changes;
        var resumeMs = moving.ResumedAt == 0 ? double.NaN : Stopwatch.GetElapsedTime(killedAt, moving.ResumedAt).TotalMilliseconds;

        output.WriteLine($"kill -9 (pid {pid}) of one of two servers under load, {SubmittersPerServer} submitters on each");
        output.WriteLine($"writes: {acknowledged.Count - inDoubt.Count} acknowledged ({ackedByDoomed} by the killed server before the kill), "
            + $"{inDoubt.Count} in flight on it at the kill ({storedUnacknowledged} of them had been stored, found by the retry), "
            + $"{stored.Count} stored after the retries; acknowledged and lost: {lost}");
        output.WriteLine($"watcher on the killed server (channel over both addresses): {seenMoving.Count} changes, {moving.Failures} failover(s), resumed {resumeMs:F0} ms after the kill, "
            + $"gaps {Gaps(seenMoving, snapshot)}, duplicates {Duplicates(seenMoving)}, resets {moving.Resets}; survivor's watcher: {seenStaying.Count} changes; sequences identical: {seenMoving.SequenceEqual(seenStaying)}");

        Assert.True(doomed.HasExited);
        Assert.True(ackedByDoomed >= 100, "the killed server took submissions before the kill");
        Assert.Equal(0, lost);
        Assert.Equal(acknowledged.Count, stored.Count);
        Assert.True(moving.Failures >= 1, "the watcher was on the killed server and moved");
        Assert.Equal(0, moving.Resets);
        Assert.NotEqual(0, moving.ResumedAt);
        Assert.Equal(0, staying.Failures);
        Assert.Equal(stored.Count, seenMoving.Count);
        AssertContiguous(seenMoving, snapshot, head);
        Assert.Equal(seenStaying, seenMoving);
    }

    public void Dispose()
    {
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A new database with the intake, supervisor and fifty operators, added as <see cref="ServerProcess.SeedPostgresAsync"/> adds accounts for every process test.</summary>
    private async Task<string> SeedAsync()
    {
        var database = postgres.Cluster.CreateDatabase();
        await ServerProcess.SeedPostgresAsync(database,
            Enumerable.Range(1, HotlineTestServer.OperatorCount).Select(i => (HotlineTestServer.OperatorId(i), Domain.Role.Operator))).WaitAsync(Bound);
        return database;
    }

    private ServerProcess Launch(string database)
    {
        var directory = Path.Combine(Path.GetTempPath(), "hotline-multi-" + Guid.NewGuid().ToString("N"));
        _directories.Add(directory);
        return ServerProcess.Launch(directory, ServerProcess.PostgresEnvironment(database));
    }

    private static SubmitRequestRequest Submission(string requestId) =>
        new() { RequestId = requestId, Channel = Channel.WebForm, Message = "multi-server " + requestId };

    /// <summary>Every revision from <paramref name="snapshot"/> + 1 to <paramref name="head"/> once, in order.</summary>
    private static void AssertContiguous(IReadOnlyList<RecordedChange> changes, long snapshot, long head) =>
        Assert.Equal(Enumerable.Range(1, (int)(head - snapshot)).Select(i => snapshot + i), changes.Select(c => c.Revision));

    /// <summary>Revisions skipped between consecutive changes (and before the first, after the snapshot).</summary>
    private static long Gaps(IReadOnlyList<RecordedChange> changes, long snapshot)
    {
        long gaps = 0;
        var previous = snapshot;
        foreach (var change in changes)
        {
            gaps += Math.Max(0, change.Revision - previous - 1);
            previous = Math.Max(previous, change.Revision);
        }
        return gaps;
    }

    /// <summary>Changes at or below a revision already received.</summary>
    private static int Duplicates(IReadOnlyList<RecordedChange> changes)
    {
        var duplicates = 0;
        long previous = long.MinValue;
        foreach (var change in changes)
        {
            duplicates += change.Revision <= previous ? 1 : 0;
            previous = Math.Max(previous, change.Revision);
        }
        return duplicates;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }

    private sealed record ClaimAttempt(string Operator, int Server, bool Won, string Holder);
}
