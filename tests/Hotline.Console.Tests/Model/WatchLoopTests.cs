using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hotline.Console.Remote;
using Hotline.Console.State;
using Hotline.Contract.V1;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Console.Tests.Model;

public sealed class WatchLoopTests
{
    private readonly FakeHotlineClient _client = new();
    private readonly FakeTimeProvider _time = new(Requests.T0);
    private readonly QueueModel _model = new();
    private readonly Lock _gate = new();
    private readonly List<FeedEvent> _posted = [];

    [Fact]
    public async Task BrokenStream_ResumesAfterTheLastRevisionAndDropsReplayedDuplicates()
    {
        var second = new TaskCompletionSource();
        _client.Watch = (start, ct) => start == 0
            ? FailingAsync(ct, RpcErrors.Unavailable(), Snapshot(Requests.Make(1)), End(40), Requests.ChangeMessage(41, ChangeKind.Created, Requests.Make(2, revision: 41)))
            : HoldingAsync(ct, second, Requests.ChangeMessage(41, ChangeKind.Created, Requests.Make(2, revision: 41)),
                Requests.ChangeMessage(42, ChangeKind.Created, Requests.Make(3, revision: 42)));
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), jitter: 0));

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await WaitUntilAsync(() => Posted().OfType<ConnectionChanged>().Any(c => c.Status.State == LinkState.Retrying));
        _time.Advance(TimeSpan.FromSeconds(1));
        await second.Task.DefaultTimeout();
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal([0L, 42L], _client.WatchStarts);
        _model.Apply(Posted());
        Assert.Equal(42, _model.Revision);
        Assert.Equal(3, _model.Count);
        Assert.Equal(0, _model.DuplicatesIgnored);
        var retry = Posted().OfType<ConnectionChanged>().First(c => c.Status.State == LinkState.Retrying).Status;
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(1), retry.DownSince);
        Assert.Equal("server unreachable", retry.Problem);
    }

    [Fact]
    public async Task CutOffForBeingTooSlow_ResumesAtOnce()
    {
        var second = new TaskCompletionSource();
        var tooSlow = RpcErrors.Refusal(StatusCode.ResourceExhausted, "WATCH_TOO_SLOW", ("resume_revision", "11"));
        _client.Watch = (start, ct) => start == 0
            ? FailingAsync(ct, tooSlow, Snapshot(), End(10))
            : HoldingAsync(ct, second);
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, ReconnectBackoff.Default);

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await second.Task.DefaultTimeout();
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal([0L, 11L], _client.WatchStarts);
    }

    [Fact]
    public async Task StreamResetForNotReading_ResumesAtOnceAfterTheLastRevisionReceived()
    {
        var second = new TaskCompletionSource();
        // What Grpc.Net.Client reports for an RST_STREAM with ENHANCE_YOUR_CALM: the status code, no details.
        var reset = new RpcException(new Status(StatusCode.ResourceExhausted, "Error reading next message. HttpProtocolException: ENHANCE_YOUR_CALM"));
        _client.Watch = (start, ct) => start == 0
            ? FailingAsync(ct, reset, Snapshot(Requests.Make(1)), End(10), Requests.ChangeMessage(11, ChangeKind.Created, Requests.Make(2, revision: 11)))
            : HoldingAsync(ct, second);
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, ReconnectBackoff.Default);

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await second.Task.DefaultTimeout();
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal([0L, 12L], _client.WatchStarts);
        var retry = Posted().OfType<ConnectionChanged>().First(c => c.Status.State == LinkState.Retrying).Status;
        Assert.Equal("stopped reading and was cut off", retry.Problem);
    }

    [Fact]
    public async Task ResetOnResume_NextStreamStartsWithASnapshot()
    {
        var third = new TaskCompletionSource();
        _client.Watch = (start, ct) => _client.WatchStarts.Count switch
        {
            1 => FailingAsync(ct, RpcErrors.Unavailable(), Snapshot(Requests.Make(1)), End(10)),
            2 => FailingAsync(ct, RpcErrors.Unavailable(), new WatchRequestsResponse { Reset = new WatchReset { Reason = "REVISION_COMPACTED" } },
                Snapshot(Requests.Make(5))),
            _ => HoldingAsync(ct, third, Snapshot(Requests.Make(6)), End(90)),
        };
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.Zero, TimeSpan.Zero, jitter: 0));

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await third.Task.DefaultTimeout();
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal([0L, 11L, 0L], _client.WatchStarts);
        _model.Apply(Posted());
        Assert.Equal(["requests/r6"], _model.Requests.Select(r => r.Name));
        Assert.Equal(90, _model.Revision);
    }

    [Theory]
    [InlineData(StatusCode.Unauthenticated, "TOKEN_REVOKED", SignOutReason.TokenRevoked)]
    [InlineData(StatusCode.Unauthenticated, "OPERATOR_DISABLED", SignOutReason.AccountDisabled)]
    [InlineData(StatusCode.Unauthenticated, "UNAUTHENTICATED", SignOutReason.TokenRejected)]
    [InlineData(StatusCode.Unauthenticated, null, SignOutReason.TokenRejected)]
    [InlineData(StatusCode.PermissionDenied, "PERMISSION_DENIED", SignOutReason.NotPermitted)]
    public async Task RefusedTokenOrRole_StopsRetryingAndSaysWhy(StatusCode code, string? reason, SignOutReason expected)
    {
        var refusal = reason is null ? new RpcException(new Status(code, "refused")) : RpcErrors.Refusal(code, reason);
        _client.Watch = (start, ct) => FailingAsync(ct, refusal, Snapshot(Requests.Make(1)), End(10));
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), jitter: 0));

        // Returning on its own is the point: every further attempt would count as a failed sign-in against the address.
        await Task.Run(() => loop.RunAsync(stop.Token)).DefaultTimeout();

        Assert.Equal([0L], _client.WatchStarts);
        var statuses = Posted().OfType<ConnectionChanged>().Select(c => c.Status).ToList();
        Assert.DoesNotContain(statuses, s => s.State == LinkState.Retrying);
        var last = statuses[^1];
        Assert.Equal(LinkState.SignedOut, last.State);
        Assert.Equal(expected, last.SignOut);
        Assert.Equal(Requests.T0, last.DownSince);
        Assert.Null(last.RetryAt);
        Assert.False(loop.RetryNow());
    }

    [Fact]
    public async Task RevokedWhileOffline_SignsOutAtTheFirstRefusedSignInAndTriesNoMore()
    {
        var server = new SignInGate(_client);
        _client.Watch = (start, ct) => FailingAsync(ct, RpcErrors.Unavailable(), Snapshot(Requests.Make(1)), End(10));
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(server, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), jitter: 0));

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        var retry = await NextRetryAsync(0);
        server.Refusal = () => RpcErrors.Refusal(StatusCode.Unauthenticated, "UNAUTHENTICATED");
        _time.Advance(retry.RetryAt!.Value - _time.GetUtcNow());
        await running.DefaultTimeout();

        Assert.Equal(2, server.SignIns);
        var last = Posted().OfType<ConnectionChanged>().Last().Status;
        Assert.Equal(ConnectionStatus.SignedOutFor(SignOutReason.TokenRejected, Requests.T0), last);
    }

    [Fact]
    public async Task RateLimited_WaitsTheAdvisedDelayNotTheBackoff()
    {
        var second = new TaskCompletionSource();
        _client.Watch = (start, ct) => _client.WatchStarts.Count == 1
            ? FailingAsync(ct, RateLimited(TimeSpan.FromSeconds(40)))
            : HoldingAsync(ct, second);
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), jitter: 0));

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        var retry = await NextRetryAsync(0);
        Assert.Equal(Requests.T0.AddSeconds(40), retry.RetryAt);
        Assert.Equal("too many failed sign-ins from this address", retry.Problem);
        _time.Advance(TimeSpan.FromSeconds(40));
        await second.Task.DefaultTimeout();
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal(2, _client.WatchStarts.Count);
    }

    [Fact]
    public async Task RateLimitedForAbsurdlyLong_WaitsAnHourAtMost()
    {
        _client.Watch = (start, ct) => FailingAsync(ct, RateLimited(TimeSpan.FromDays(20000)));
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, ReconnectBackoff.Default);

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        var retry = await NextRetryAsync(0);
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal(Requests.T0.AddHours(1), retry.RetryAt);
    }

    [Fact]
    public async Task RateLimitedWithoutRetryInfo_FallsBackToTheBackoff()
    {
        _client.Watch = (start, ct) => FailingAsync(ct, RpcErrors.Refusal(StatusCode.ResourceExhausted, "RATE_LIMITED"));
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5), jitter: 0));

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        var retry = await NextRetryAsync(0);
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal(Requests.T0.AddSeconds(3), retry.RetryAt);
    }

    [Theory]
    [InlineData(StatusCode.FailedPrecondition)]
    [InlineData(StatusCode.Unavailable)]
    public async Task LockedDown_SaysSoAndKeepsRetrying(StatusCode code)
    {
        _client.Watch = (start, ct) => FailingAsync(ct, RpcErrors.Refusal(code, "LOCKED_DOWN"));
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), jitter: 0));

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        var retry = await NextRetryAsync(0);
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal("the hotline is locked down by an admin", retry.Problem);
    }

    [Fact]
    public async Task TooManyWatchesOpen_SaysWhyAndRetriesWithBackoff()
    {
        _client.Watch = (start, ct) => FailingAsync(ct, RpcErrors.Refusal(StatusCode.ResourceExhausted, "TOO_MANY_WATCHES", ("limit", "caller")));
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), jitter: 0));

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        var retry = await NextRetryAsync(0);
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal("too many live feeds open (close another console of yours)", retry.Problem);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(1), retry.RetryAt);
    }

    [Fact]
    public async Task RetryNow_EndsTheWaitAtOnce()
    {
        var second = new TaskCompletionSource();
        _client.Watch = (start, ct) => _client.WatchStarts.Count == 1 ? FailingAsync(ct, RpcErrors.Unavailable()) : HoldingAsync(ct, second);
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), jitter: 0));

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await NextRetryAsync(0);
        // From another thread, as the UI calls it; the fake clock never moves.
        Assert.True(await Task.Run(loop.RetryNow).DefaultTimeout());
        await second.Task.DefaultTimeout();
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal(2, _client.WatchStarts.Count);
        Assert.Equal(Requests.T0, _time.GetUtcNow());
    }

    [Fact]
    public async Task RetryNow_WhileConnected_LeavesTheStreamAlone()
    {
        var first = new TaskCompletionSource();
        _client.Watch = (start, ct) => HoldingAsync(ct, first, Snapshot(), End(10));
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, ReconnectBackoff.Default);

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await first.Task.DefaultTimeout();
        Assert.False(loop.RetryNow());
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal([0L], _client.WatchStarts);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(19)]
    [InlineData(45)]
    [InlineData(300)]
    public async Task ServerBackAfterAnOutage_ConsoleReconnectsWithinFiveSeconds(int outageSeconds)
    {
        var back = Requests.T0.AddSeconds(outageSeconds);
        var reconnected = new TaskCompletionSource();
        var server = new SignInGate(_client) { Refusal = () => _time.GetUtcNow() < back ? RpcErrors.Unavailable() : null };
        _client.Watch = (start, ct) => HoldingAsync(ct, reconnected);
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(server, Post, _time, ReconnectBackoff.Default);

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        for (var retries = 0; !reconnected.Task.IsCompleted; retries++)
        {
            var retry = await NextRetryAsync(retries);
            _time.Advance(retry.RetryAt!.Value - _time.GetUtcNow());
            var next = retries + 1;
            await WaitUntilAsync(() => reconnected.Task.IsCompleted || Retries().Count > next);
        }
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.InRange(_time.GetUtcNow() - back, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.All(Retries(), r => Assert.Equal(Requests.T0, r.DownSince));
    }

    [Fact]
    public async Task WatchRefusedRightAfterSigningIn_BacksOffAndKeepsOfflineSince()
    {
        // Signing in works but the watch itself is refused (here a lockdown): that is no working link,
        // so the backoff keeps growing and the banner keeps saying since when the queue is old.
        var third = new TaskCompletionSource();
        _client.Watch = (start, ct) => _client.WatchStarts.Count switch
        {
            1 => FailingAsync(ct, RpcErrors.Unavailable(), Snapshot(), End(10)),
            2 or 3 => FailingAsync(ct, RpcErrors.Refusal(StatusCode.FailedPrecondition, "LOCKED_DOWN")),
            _ => HoldingAsync(ct, third),
        };
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), jitter: 0));

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        for (var i = 0; i < 3; i++)
        {
            var retry = await NextRetryAsync(i);
            _time.Advance(retry.RetryAt!.Value - _time.GetUtcNow());
        }
        await third.Task.DefaultTimeout();
        await stop.CancelAsync();
        await running.DefaultTimeout();

        var retries = Retries();
        Assert.All(retries, r => Assert.Equal(Requests.T0, r.DownSince));
        Assert.Equal([1.0, 2.0, 4.0], retries.Select((r, i) => (r.RetryAt!.Value - (i == 0 ? Requests.T0 : retries[i - 1].RetryAt!.Value)).TotalSeconds));
    }

    [Fact]
    public void DefaultBackoff_NeverWaitsMoreThanFiveSeconds()
    {
        var delays = Enumerable.Range(0, 2000).Select(i => ReconnectBackoff.Default.Delay(i % 20)).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5)));
        // Jitter still spreads a restart's reconnects: the capped waits are not all the same.
        Assert.True(delays.Where((_, i) => i % 20 >= 10).Distinct().Count() > 100);
    }

    [Fact]
    public async Task ServerDown_FailsOverToTheNextAtOnceAndResumesAfterTheLastRevision()
    {
        var servers = Servers();
        var on = new List<string>();
        var second = new TaskCompletionSource();
        _client.Watch = (start, ct) =>
        {
            on.Add(ServerAddresses.Describe(servers.Current));
            return start == 0
                ? FailingAsync(ct, RpcErrors.Unavailable(), Snapshot(Requests.Make(1)), End(40), Requests.ChangeMessage(41, ChangeKind.Created, Requests.Make(2, revision: 41)))
                : HoldingAsync(ct, second, Requests.ChangeMessage(41, ChangeKind.Created, Requests.Make(2, revision: 41)),
                    Requests.ChangeMessage(42, ChangeKind.Created, Requests.Make(3, revision: 42)));
        };
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), jitter: 0)) { Servers = servers };

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        // No time passes: the move to a server that has not failed yet waits for nothing.
        await second.Task.DefaultTimeout();
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal(["a.example:5171", "b.example:5171"], on);
        Assert.Equal([0L, 42L], _client.WatchStarts);
        var connected = Posted().OfType<ConnectionChanged>().Select(c => c.Status).Where(s => s.State == LinkState.Connected).ToList();
        Assert.Equal([("a.example:5171", null), ("b.example:5171", "a.example:5171")], connected.Select(c => (c.Server, c.FailedOverFrom)));
        var retry = Retries().Single();
        Assert.Equal("server unreachable; trying b.example:5171", retry.Problem);
        Assert.Equal(Requests.T0, retry.RetryAt);
        _model.Apply(Posted());
        Assert.Equal(42, _model.Revision);
        Assert.Equal(3, _model.Count);
        Assert.Equal(0, _model.DuplicatesIgnored);
    }

    [Fact]
    public async Task EveryServerDown_TriesThemInOrderAndBacksOffOnceARound()
    {
        var servers = Servers();
        var on = new List<string>();
        _client.Watch = (start, ct) =>
        {
            lock (on)
            {
                on.Add(ServerAddresses.Describe(servers.Current));
            }
            return FailingAsync(ct, RpcErrors.Unavailable());
        };
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), jitter: 0)) { Servers = servers };

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        var third = await NextRetryAsync(2);
        _time.Advance(TimeSpan.FromSeconds(1));
        await NextRetryAsync(5);
        await stop.CancelAsync();
        await running.DefaultTimeout();

        lock (on)
        {
            Assert.Equal(["a.example:5171", "b.example:5171", "c.example:5171", "a.example:5171", "b.example:5171", "c.example:5171"], on);
        }
        var later = Requests.T0.AddSeconds(1);
        Assert.Equal([Requests.T0, Requests.T0, later, later, later, later.AddSeconds(2)], Retries().Select(r => r.RetryAt));
        Assert.Equal("server unreachable; trying a.example:5171", third.Problem);
        Assert.Equal("a.example:5171", third.Server);
    }

    [Fact]
    public async Task LockedDown_StaysOnTheSameServer()
    {
        var servers = Servers();
        _client.Watch = (start, ct) => FailingAsync(ct, RpcErrors.Refusal(StatusCode.Unavailable, "LOCKED_DOWN"));
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), jitter: 0)) { Servers = servers };

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        var retry = await NextRetryAsync(0);
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal(0, servers.CurrentIndex);
        Assert.Equal("the hotline is locked down by an admin", retry.Problem);
    }

    [Fact]
    public async Task OneServer_StatusNamesNoServer()
    {
        var reached = new TaskCompletionSource();
        _client.Watch = (start, ct) => HoldingAsync(ct, reached, Snapshot(), End(5));
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, ReconnectBackoff.Default) { Servers = new ServerAddresses([new Uri("https://a.example:5171")]) };

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await reached.Task.DefaultTimeout();
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.Equal(ConnectionStatus.Connected, Posted().OfType<ConnectionChanged>().Single().Status);
    }

    private static ServerAddresses Servers() =>
        new([new Uri("https://a.example:5171"), new Uri("https://b.example:5171"), new Uri("https://c.example:5171")]);

    [Fact]
    public void Backoff_DoublesUpToItsCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), jitter: 0);

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(0, 7).Select(a => backoff.Delay(a).TotalSeconds));
    }

    private void Post(FeedEvent item)
    {
        lock (_gate)
        {
            _posted.Add(item);
        }
    }

    private List<FeedEvent> Posted()
    {
        lock (_gate)
        {
            return [.. _posted];
        }
    }

    /// <summary>The retry status number <paramref name="index"/> (0-based), once the loop has posted it.</summary>
    private async Task<ConnectionStatus> NextRetryAsync(int index)
    {
        await WhenRetryingAsync(index).DefaultTimeout();
        return Retries()[index];
    }

    private async Task WhenRetryingAsync(int index) => await WaitUntilAsync(() => Retries().Count > index);

    private List<ConnectionStatus> Retries() =>
        [.. Posted().OfType<ConnectionChanged>().Select(c => c.Status).Where(s => s.State == LinkState.Retrying)];

    private static RpcException RateLimited(TimeSpan delay) => new Google.Rpc.Status
    {
        Code = (int)StatusCode.ResourceExhausted,
        Message = "Too many failed sign-ins from this address",
        Details =
        {
            Any.Pack(new Google.Rpc.ErrorInfo { Reason = "RATE_LIMITED", Domain = "hotline" }),
            Any.Pack(new Google.Rpc.RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }),
        },
    }.ToRpcException();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TaskTimeouts.Default;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }

    private static WatchRequestsResponse Snapshot(params HelpRequest[] requests)
    {
        var page = new WatchSnapshot();
        page.Requests.AddRange(requests);
        return new WatchRequestsResponse { Snapshot = page };
    }

    private static WatchRequestsResponse End(long revision) => new() { SnapshotEnd = new WatchSnapshotEnd { Revision = revision } };

    /// <summary>Yields the messages, then breaks like a dropped link.</summary>
    private static async IAsyncEnumerable<WatchRequestsResponse> FailingAsync([EnumeratorCancellation] CancellationToken cancellationToken, RpcException failure,
        params WatchRequestsResponse[] messages)
    {
        foreach (var message in messages)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return message;
        }
        throw failure;
    }

    /// <summary>Yields the messages, signals <paramref name="reached"/>, then stays open until cancelled.</summary>
    private static async IAsyncEnumerable<WatchRequestsResponse> HoldingAsync([EnumeratorCancellation] CancellationToken cancellationToken, TaskCompletionSource reached,
        params WatchRequestsResponse[] messages)
    {
        foreach (var message in messages)
        {
            await Task.Yield();
            yield return message;
        }
        reached.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
