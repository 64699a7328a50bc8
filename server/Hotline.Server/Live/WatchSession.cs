using Grpc.Core;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Grpc;
using Hotline.Server.Hosting;
using V1 = Hotline.Contract.V1;

namespace Hotline.Server.Live;

/// <summary>
/// One WatchRequests stream: snapshot or replay, then live changes, from a single loop, so the
/// gRPC writer is never used from two threads. The subscription is taken before anything is
/// read from the store, so no change can fall between what was read and what is live.
/// Everything is sent as the watcher may see it (<see cref="ContactVisibility"/>), and the stream
/// ends as soon as the caller's session is ended (token revoked, account disabled, lockdown).
/// </summary>
public sealed class WatchSession(
    IRequestStore store,
    ChangeBroadcaster broadcaster,
    WatchOptions options,
    IServerStreamWriter<V1.WatchRequestsResponse> stream,
    ILogger logger)
{
    public const int SnapshotPageSize = 100;
    public const int ReplayPageSize = 500;

    private static long _nextWatchId;

    /// <summary>The highest revision delivered; anything at or below it is skipped.</summary>
    private long _delivered;

    /// <summary>The client went away: the only thing, besides the write timeout, that may cancel a write in progress.</summary>
    private CancellationToken _callCancelled;

    private WatchSubscription _subscription = null!;
    private OperatorAccount _viewer = null!;

    public async Task RunAsync(long startRevision, OperatorAccount viewer, CallerSession session,
        CancellationToken callCancelled, CancellationToken serverStopping)
    {
        _viewer = viewer;
        _callCancelled = callCancelled;
        var operatorId = viewer.Id;
        var watchId = Interlocked.Increment(ref _nextWatchId);
        using var subscription = broadcaster.Subscribe();
        _subscription = subscription;
        // One audit record for the whole session, before the first request is read: it may carry any request until it ends.
        await store.RecordWatchAsync(viewer.Id, callCancelled);
        // Ending the stream (lockdown, revocation, shutdown) cancels reads and waits, never a write in
        // progress: cancelling a write resets the HTTP/2 stream, and the client would see a bare
        // CANCELLED or INTERNAL instead of the status saying why (LOCKED_DOWN, TOKEN_REVOKED, ...).
        // A write still in progress finishes or times out, then the loop sees the end (see WriteAsync).
        // Overflow is not part of this token either: the overflowed queue holds nothing more, so
        // waiting for that one write (up to the write timeout) costs no memory.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(callCancelled, serverStopping, session.Ended);
        ServerLog.WatchStarted(logger, watchId, operatorId, startRevision);
        try
        {
            if (startRevision == 0)
            {
                await SendSnapshotAsync(ended.Token);
            }
            else
            {
                await ReplayAsync(startRevision, ended.Token);
            }
            await FollowAsync(subscription, ended.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WatcherTooSlowException)
        {
            if (session.Reason == SessionEnd.TokenRevoked)
            {
                ServerLog.WatchEnded(logger, watchId, _delivered, "token revoked");
                throw ErrorTranslation.ToRpcException(ErrorReasons.TokenRevoked, StatusCode.Unauthenticated,
                    "The token this watch was opened with was revoked or its account disabled.");
            }
            if (session.Reason == SessionEnd.LockedDown)
            {
                ServerLog.WatchEnded(logger, watchId, _delivered, "lockdown");
                throw ErrorTranslation.ToRpcException(ErrorReasons.LockedDown, StatusCode.Unavailable,
                    "The installation was locked down by an administrator; resume after it is unlocked.",
                    new Dictionary<string, string> { ["resume_revision"] = (_delivered + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
            if (subscription.IsOverflowed || ex is WatcherTooSlowException)
            {
                ServerLog.WatchTooSlow(logger, watchId, subscription.Buffered, _delivered);
                throw ErrorTranslation.ToRpcException(ErrorReasons.WatchTooSlow, StatusCode.ResourceExhausted,
                    "This watcher fell too far behind the live feed and was cut off; resume with start_revision = resume_revision.",
                    new Dictionary<string, string> { ["resume_revision"] = (_delivered + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
            if (serverStopping.IsCancellationRequested && !callCancelled.IsCancellationRequested)
            {
                ServerLog.WatchEnded(logger, watchId, _delivered, "server shutting down");
                throw ErrorTranslation.ToRpcException(ErrorReasons.ShuttingDown, StatusCode.Unavailable,
                    "The server is shutting down; resume the watch against the restarted server.",
                    new Dictionary<string, string> { ["resume_revision"] = (_delivered + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
            if (!callCancelled.IsCancellationRequested)
            {
                throw;
            }
            ServerLog.WatchEnded(logger, watchId, _delivered, "client went away");
        }
    }

    private async Task SendSnapshotAsync(CancellationToken cancellationToken)
    {
        var snapshot = await store.ReadSnapshotAsync(cancellationToken);
        foreach (var page in snapshot.Requests.Chunk(SnapshotPageSize))
        {
            var message = new V1.WatchSnapshot();
            message.Requests.AddRange(page.Select(r => ContractMapping.ToContract(r, _viewer)));
            await WriteAsync(new V1.WatchRequestsResponse { Snapshot = message }, cancellationToken);
        }
        await WriteAsync(new V1.WatchRequestsResponse { SnapshotEnd = new V1.WatchSnapshotEnd { Revision = snapshot.Revision } }, cancellationToken);
        _delivered = snapshot.Revision;
    }

    private async Task ReplayAsync(long startRevision, CancellationToken cancellationToken)
    {
        if (startRevision > store.CommittedRevision + 1)
        {
            await ResetAsync("REVISION_AHEAD", cancellationToken);
            return;
        }
        _delivered = startRevision - 1;
        while (true)
        {
            var replay = await store.ReadChangesAsync(_delivered + 1, ReplayPageSize, cancellationToken);
            if (replay.Compacted)
            {
                await ResetAsync("REVISION_COMPACTED", cancellationToken);
                return;
            }
            foreach (var change in replay.Changes)
            {
                await SendChangeAsync(change.Revision,
                    new V1.WatchRequestsResponse { Change = ContractMapping.ToContract(change, _viewer) }, cancellationToken);
            }
            if (replay.Changes.Count < ReplayPageSize)
            {
                // Tells a resuming client at once that the stream is live, even when it missed nothing.
                await WriteAsync(new V1.WatchRequestsResponse { Progress = new V1.WatchProgress { Revision = _delivered } }, cancellationToken);
                return;
            }
        }
    }

    private async Task ResetAsync(string reason, CancellationToken cancellationToken)
    {
        await WriteAsync(new V1.WatchRequestsResponse { Reset = new V1.WatchReset { Reason = reason } }, cancellationToken);
        await SendSnapshotAsync(cancellationToken);
    }

    private async Task FollowAsync(WatchSubscription subscription, CancellationToken cancellationToken)
    {
        var reader = subscription.Reader;
        while (true)
        {
            while (reader.TryRead(out var live))
            {
                await SendChangeAsync(live.Revision, live.MessageFor(_viewer), cancellationToken);
            }
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            idle.CancelAfter(options.ProgressInterval);
            bool more;
            try
            {
                more = await reader.WaitToReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await WriteAsync(new V1.WatchRequestsResponse { Progress = new V1.WatchProgress { Revision = _delivered } }, cancellationToken);
                continue;
            }
            if (!more)
            {
                throw new WatcherTooSlowException();
            }
        }
    }

    private async Task SendChangeAsync(long revision, V1.WatchRequestsResponse message, CancellationToken cancellationToken)
    {
        if (revision <= _delivered)
        {
            return;
        }
        if (_subscription.IsOverflowed)
        {
            throw new WatcherTooSlowException();
        }
        await WriteAsync(message, cancellationToken);
        _delivered = revision;
    }

    /// <summary>
    /// Writes unless the stream has ended (<paramref name="ended"/>), which is checked before the write
    /// only: once started, a write is cancelled only by the client going away or by the write
    /// timeout, which ends the stream as too slow.
    /// </summary>
    private async Task WriteAsync(V1.WatchRequestsResponse message, CancellationToken ended)
    {
        ended.ThrowIfCancellationRequested();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_callCancelled);
        deadline.CancelAfter(options.WriteTimeout);
        try
        {
            await stream.WriteAsync(message, deadline.Token).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!_callCancelled.IsCancellationRequested)
        {
            throw new WatcherTooSlowException();
        }
    }

    /// <summary>The watcher's queue was closed because it fell behind, or a write timed out.</summary>
    private sealed class WatcherTooSlowException : Exception;
}
