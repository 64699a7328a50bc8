using System.Runtime.CompilerServices;
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
            ? Failing(ct, RpcErrors.Unavailable(), Snapshot(Requests.Make(1)), End(40), Requests.ChangeMessage(41, ChangeKind.Created, Requests.Make(2, revision: 41)))
            : Holding(ct, second, Requests.ChangeMessage(41, ChangeKind.Created, Requests.Make(2, revision: 41)),
                Requests.ChangeMessage(42, ChangeKind.Created, Requests.Make(3, revision: 42)));
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), jitter: 0));

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await WaitUntil(() => Posted().OfType<ConnectionChanged>().Any(c => c.Status.State == LinkState.Retrying));
        _time.Advance(TimeSpan.FromSeconds(1));
        await second.Task.DefaultTimeout();
        stop.Cancel();
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
            ? Failing(ct, tooSlow, Snapshot(), End(10))
            : Holding(ct, second);
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, ReconnectBackoff.Default);

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await second.Task.DefaultTimeout();
        stop.Cancel();
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
            ? Failing(ct, reset, Snapshot(Requests.Make(1)), End(10), Requests.ChangeMessage(11, ChangeKind.Created, Requests.Make(2, revision: 11)))
            : Holding(ct, second);
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, ReconnectBackoff.Default);

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await second.Task.DefaultTimeout();
        stop.Cancel();
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
            1 => Failing(ct, RpcErrors.Unavailable(), Snapshot(Requests.Make(1)), End(10)),
            2 => Failing(ct, RpcErrors.Unavailable(), new WatchRequestsResponse { Reset = new WatchReset { Reason = "REVISION_COMPACTED" } },
                Snapshot(Requests.Make(5))),
            _ => Holding(ct, third, Snapshot(Requests.Make(6)), End(90)),
        };
        using var stop = new CancellationTokenSource();
        var loop = new WatchLoop(_client, Post, _time, new ReconnectBackoff(TimeSpan.Zero, TimeSpan.Zero, jitter: 0));

        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await third.Task.DefaultTimeout();
        stop.Cancel();
        await running.DefaultTimeout();

        Assert.Equal([0L, 11L, 0L], _client.WatchStarts);
        _model.Apply(Posted());
        Assert.Equal(["requests/r6"], _model.Requests.Select(r => r.Name));
        Assert.Equal(90, _model.Revision);
    }

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

    private static async Task WaitUntil(Func<bool> condition)
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
    private static async IAsyncEnumerable<WatchRequestsResponse> Failing([EnumeratorCancellation] CancellationToken cancellationToken, RpcException failure,
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
    private static async IAsyncEnumerable<WatchRequestsResponse> Holding([EnumeratorCancellation] CancellationToken cancellationToken, TaskCompletionSource reached,
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
