using Google.Rpc;
using Grpc.Core;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Remote;

/// <summary>
/// Keeps one WatchRequests stream open for as long as the console runs: signs in, opens the
/// stream, forwards every message, and when the link drops reconnects with backoff from the
/// last revision received, so the model misses nothing and sees nothing twice. When the server
/// refuses the token or the role it stops for good and says why (<see cref="LinkState.SignedOut"/>):
/// a retry cannot cure that, and each one would count as a failed sign-in against the address.
/// Given several <see cref="Servers"/>, it fails over: when the server it is on stops answering it
/// moves to the next address at once, and backs off only once every address has failed in a row.
/// The resume point is the same on any server of the installation (one store, one revision
/// sequence); a server whose store is behind answers with a reset, which the model handles.
/// </summary>
/// <remarks>
/// Runs on a background thread and never touches the model: everything goes through
/// <c>post</c> (a <see cref="FeedInbox"/>). It resumes from what it <em>received</em>, not from
/// what the UI applied, because everything received is already queued for the model.
/// </remarks>
public sealed class WatchLoop(IHotlineClient client, Action<FeedEvent> post, TimeProvider time, ReconnectBackoff backoff)
{
    /// <summary>
    /// The server sends progress about every 15 s on an idle stream; three missed in a row mean
    /// the link is dead even if TCP has not noticed yet.
    /// </summary>
    public TimeSpan IdleLimit { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// The servers to fail over between, moved on by this loop; the client must send its calls to
    /// <see cref="ServerAddresses.Current"/>. Null (or one address): reconnect to the same server.
    /// </summary>
    public ServerAddresses? Servers { get; init; }

    /// <summary>The last revision received; the next stream starts after it.</summary>
    public long LastReceived { get; private set; }

    /// <summary>Rate-limit waits longer than this are shortened: a malformed delay must not end the loop.</summary>
    private static readonly TimeSpan LongestAdvisedWait = TimeSpan.FromHours(1);

    /// <summary>Completed whenever no wait is in progress, so that <see cref="RetryNow"/> then ends nothing.</summary>
    private TaskCompletionSource _wake = Ended();

    /// <summary>
    /// Ends the wait before the next attempt at once, for an operator who knows the server is back.
    /// Safe from any thread (the UI calls it while the loop runs on a background thread); the next
    /// attempt runs on the loop's thread, never the caller's.
    /// </summary>
    /// <returns>
    /// True when it ended a wait; false while connected, while an attempt is under way, after a
    /// sign-out (which a retry cannot cure) or once the loop has stopped.
    /// </returns>
    public bool RetryNow() => Volatile.Read(ref _wake).TrySetResult();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset? downSince = null;
        var attempt = 0;
        // Addresses moved to without waiting since the last wait or the last working stream.
        var movedWithoutWait = 0;
        int? lastConnected = null;
        string? failedOverFrom = null;
        var servers = Servers is { Count: > 1 } several ? several : null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var start = LastReceived == 0 ? 0 : LastReceived + 1;
            using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            using var stream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
            Failure failure;
            try
            {
                var me = await client.WhoAmIAsync(stream.Token);
                var operators = await client.ListOperatorsAsync(stream.Token);
                post(new IdentityKnown(me, operators));
                post(new StreamOpened(start));
                if (servers is not null)
                {
                    if (lastConnected is { } previous && previous != servers.CurrentIndex)
                    {
                        failedOverFrom = ServerAddresses.Describe(servers.All[previous]);
                    }
                    lastConnected = servers.CurrentIndex;
                }
                post(new ConnectionChanged(ConnectionStatus.Connected with
                {
                    Server = servers is null ? null : ServerAddresses.Describe(servers.Current),
                    FailedOverFrom = failedOverFrom,
                }));
                idle.CancelAfter(IdleLimit);
                await foreach (var message in client.WatchAsync(start, stream.Token))
                {
                    idle.CancelAfter(IdleLimit);
                    // Only a stream that delivers is a working link. One refused right after signing in
                    // (a lockdown) must go on backing off and go on saying since when the queue is old.
                    downSince = null;
                    attempt = 0;
                    movedWithoutWait = 0;
                    if (Track(message))
                    {
                        post(new FeedMessage(message));
                    }
                }
                failure = new Failure("the server ended the stream", ServerDown: true);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                failure = Explain(error, idle.IsCancellationRequested);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            downSince ??= time.GetUtcNow();
            if (failure.SignOut is { } reason)
            {
                post(new ConnectionChanged(ConnectionStatus.SignedOutFor(reason, downSince)));
                return;
            }
            var problem = failure.Problem;
            TimeSpan? wait = failure.Wait;
            if (servers is not null && failure.ServerDown)
            {
                var next = ServerAddresses.Describe(servers.MoveNext());
                problem = $"{problem}; trying {next}";
                // The next address has not failed yet in this outage: try it now. Once every one has, back off as with one server.
                if (movedWithoutWait < servers.Count - 1)
                {
                    movedWithoutWait++;
                    wait = TimeSpan.Zero;
                }
                else
                {
                    movedWithoutWait = 0;
                }
            }
            var delay = wait ?? backoff.Delay(attempt++);
            var retrying = new ConnectionStatus(LinkState.Retrying, downSince, time.GetUtcNow() + delay, problem)
            {
                Server = servers is null ? null : ServerAddresses.Describe(servers.Current),
                FailedOverFrom = failedOverFrom,
            };
            if (!await WaitAsync(delay, retrying, cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>Posts <paramref name="retrying"/> and waits <paramref name="delay"/> or until <see cref="RetryNow"/>; false when stopped.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, ConnectionStatus retrying, CancellationToken cancellationToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The timer starts before the status is posted, so the countdown on screen and the timer
        // agree, and a RetryNow from the moment the status shows finds a wait to end.
        var timer = Task.Delay(delay, time, waiting.Token);
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _wake, wake);
        post(new ConnectionChanged(retrying));
        try
        {
            await Task.WhenAny(timer, wake.Task);
        }
        finally
        {
            wake.TrySetResult();
            // Stops the timer when RetryNow ended the wait first.
            await waiting.CancelAsync();
        }
        return !cancellationToken.IsCancellationRequested;
    }

    /// <summary>Moves the resume point; false for a change already received (dropped here already).</summary>
    private bool Track(WatchRequestsResponse message)
    {
        switch (message.EventCase)
        {
            case WatchRequestsResponse.EventOneofCase.Reset:
                // Until the fresh snapshot completes there is nothing valid to resume from.
                LastReceived = 0;
                return true;
            case WatchRequestsResponse.EventOneofCase.SnapshotEnd:
                LastReceived = message.SnapshotEnd.Revision;
                return true;
            case WatchRequestsResponse.EventOneofCase.Change:
                if (LastReceived > 0 && message.Change.Revision <= LastReceived)
                {
                    return false;
                }
                LastReceived = message.Change.Revision;
                return true;
            case WatchRequestsResponse.EventOneofCase.Progress:
                LastReceived = Math.Max(LastReceived, message.Progress.Revision);
                return true;
            default:
                return true;
        }
    }

    private static TaskCompletionSource Ended()
    {
        var ended = new TaskCompletionSource();
        ended.SetResult();
        return ended;
    }

    private Failure Explain(Exception error, bool idleExpired)
    {
        if (idleExpired)
        {
            return new($"no word from the server for {IdleLimit.TotalSeconds:0} s", ServerDown: true);
        }
        if (error is not RpcException rpc)
        {
            return error is OperationCanceledException ? new("the call was cancelled") : new("connection failed", ServerDown: true);
        }
        var status = rpc.GetRpcStatus();
        var reason = status?.GetDetail<ErrorInfo>()?.Reason;
        return (rpc.StatusCode, reason) switch
        {
            // The server cut a slow reader off; it has caught up by now, so resume at once.
            (StatusCode.ResourceExhausted, "WATCH_TOO_SLOW") => new("fell behind the live feed", TimeSpan.Zero),
            // A console that took no data for the server's write timeout (suspended, stalled link)
            // has its stream reset, which arrives with no details; it resumes from what it received.
            (StatusCode.ResourceExhausted, null) => new("stopped reading and was cut off", TimeSpan.Zero),
            // Too many streams open for this account (other consoles) or on the server: back off and try again.
            (StatusCode.ResourceExhausted, "TOO_MANY_WATCHES") => new("too many live feeds open (close another console of yours)"),
            // Every call from the address is refused until the advised delay has passed, so an
            // earlier retry would only be refused again.
            (StatusCode.ResourceExhausted, "RATE_LIMITED") => new("too many failed sign-ins from this address", AdvisedWait(status)),
            (StatusCode.Unavailable, "SHUTTING_DOWN") => new("the server is restarting", ServerDown: true),
            // A lockdown binds every server of the installation: moving on would change nothing.
            (_, "LOCKED_DOWN") => new("the hotline is locked down by an admin"),
            (StatusCode.Unavailable, _) => new("server unreachable", ServerDown: true),
            // A refused token or role stays refused: stop, and say what the operator must ask for.
            (StatusCode.Unauthenticated, "TOKEN_REVOKED") => new("signed out", SignOut: SignOutReason.TokenRevoked),
            (StatusCode.Unauthenticated, "OPERATOR_DISABLED") => new("signed out", SignOut: SignOutReason.AccountDisabled),
            (StatusCode.Unauthenticated, _) => new("signed out", SignOut: SignOutReason.TokenRejected),
            (StatusCode.PermissionDenied, _) => new("signed out", SignOut: SignOutReason.NotPermitted),
            (StatusCode.DeadlineExceeded, _) => new("the server did not answer in time", ServerDown: true),
            _ => new($"stream failed ({rpc.StatusCode})"),
        };
    }

    /// <summary>The RetryInfo delay, or null (the backoff) when the server sent none.</summary>
    private static TimeSpan? AdvisedWait(Google.Rpc.Status? status) =>
        status?.GetDetail<RetryInfo>()?.RetryDelay is { } delay
            // From the raw fields: ToTimeSpan throws on a duration out of its range.
            ? TimeSpan.FromSeconds(Math.Clamp(delay.Seconds + (delay.Nanos / 1e9), 0, LongestAdvisedWait.TotalSeconds))
            : null;

    /// <summary>What went wrong, in a few content-free words, and what to do about it.</summary>
    /// <param name="Problem">For the status line and banner: never the server's message, which is not meant for operators.</param>
    /// <param name="Wait">How long before the next attempt; null for the backoff.</param>
    /// <param name="SignOut">Set when no retry can succeed.</param>
    /// <param name="ServerDown">The server is unreachable or stopping: with several servers, the next one is tried.</param>
    private readonly record struct Failure(string Problem, TimeSpan? Wait = null, SignOutReason? SignOut = null, bool ServerDown = false);
}
