using Google.Rpc;
using Grpc.Core;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Remote;

/// <summary>
/// Keeps one WatchRequests stream open for as long as the console runs: signs in, opens the
/// stream, forwards every message, and when the link drops reconnects with backoff from the
/// last revision received, so the model misses nothing and sees nothing twice.
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

    /// <summary>The last revision received; the next stream starts after it.</summary>
    public long LastReceived { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset? downSince = null;
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var start = LastReceived == 0 ? 0 : LastReceived + 1;
            using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            using var stream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
            string problem;
            var retryAtOnce = false;
            try
            {
                var me = await client.WhoAmIAsync(stream.Token);
                var operators = await client.ListOperatorsAsync(stream.Token);
                post(new IdentityKnown(me, operators));
                post(new StreamOpened(start));
                post(new ConnectionChanged(ConnectionStatus.Connected));
                downSince = null;
                attempt = 0;
                idle.CancelAfter(IdleLimit);
                await foreach (var message in client.WatchAsync(start, stream.Token))
                {
                    idle.CancelAfter(IdleLimit);
                    if (Track(message))
                    {
                        post(new FeedMessage(message));
                    }
                }
                problem = "the server ended the stream";
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                (problem, retryAtOnce) = Explain(error, idle.IsCancellationRequested);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            downSince ??= time.GetUtcNow();
            var delay = retryAtOnce ? TimeSpan.Zero : backoff.Delay(attempt++);
            post(new ConnectionChanged(new ConnectionStatus(LinkState.Retrying, downSince, time.GetUtcNow() + delay, problem)));
            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
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

    /// <summary>A short, content-free reason for the status line, and whether to retry without waiting.</summary>
    private (string Problem, bool RetryAtOnce) Explain(Exception error, bool idleExpired)
    {
        if (idleExpired)
        {
            return ($"no word from the server for {IdleLimit.TotalSeconds:0} s", false);
        }
        if (error is not RpcException rpc)
        {
            return (error is OperationCanceledException ? "the call was cancelled" : "connection failed", false);
        }
        var reason = rpc.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason;
        return (rpc.StatusCode, reason) switch
        {
            // The server cut a slow reader off; it has caught up by now, so resume at once.
            (StatusCode.ResourceExhausted, "WATCH_TOO_SLOW") => ("fell behind the live feed", true),
            // A console that took no data for the server's write timeout (suspended, stalled link)
            // has its stream reset, which arrives with no details; it resumes from what it received.
            (StatusCode.ResourceExhausted, null) => ("stopped reading and was cut off", true),
            (StatusCode.Unavailable, "SHUTTING_DOWN") => ("the server is restarting", false),
            (StatusCode.Unavailable, _) => ("server unreachable", false),
            (StatusCode.Unauthenticated, _) => ("not signed in: check the credentials", false),
            (StatusCode.PermissionDenied, _) => ("this identity may not watch the queue", false),
            (StatusCode.DeadlineExceeded, _) => ("the server did not answer in time", false),
            _ => ($"stream failed ({rpc.StatusCode})", false),
        };
    }
}
