using System.Diagnostics;
using Grpc.Core;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Mapping;
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
    WatchStreamReset reset,
    ILogger logger)
{
    public const int SnapshotPageSize = 100;
    public const int ReplayPageSize = 500;

    /// <summary>
    /// How long a write still in progress when the server ends the stream may take to finish, so a
    /// reading client receives the status saying why before a stalled one is reset.
    /// </summary>
    private static readonly TimeSpan EndGrace = TimeSpan.FromSeconds(2);

    /// <summary>After a reset or an abort Kestrel completes a pending write at once; this only bounds a surprise.</summary>
    private static readonly TimeSpan AbandonLimit = TimeSpan.FromSeconds(5);

    /// <summary>How long the end of a stream waits for its WATCH_ENDED record; without it, the record's lease still bounds the stream.</summary>
    private static readonly TimeSpan EndRecordLimit = TimeSpan.FromSeconds(2);

    private static long _nextWatchId;

    private long _watchId;

    /// <summary>The highest revision delivered; anything at or below it is skipped.</summary>
    private long _delivered;

    /// <summary>
    /// The highest revision handed to the gRPC writer, delivered or not: a write abandoned when the
    /// stream was reset may still have reached the client, so the stream's end record counts it.
    /// </summary>
    private long _sent;

    /// <summary>The stream's standing in the audit trail: null until its WATCHED record is on disk.</summary>
    private WatchLease? _lease;

    /// <summary>The client went away: a write in progress is then abandoned at once (see <see cref="WriteAsync"/>).</summary>
    private CancellationToken _callCancelled;

    private WatchSubscription _subscription = null!;
    private OperatorAccount _viewer = null!;

    public async Task RunAsync(long startRevision, OperatorAccount viewer, CallerSession session,
        CancellationToken callCancelled, CancellationToken serverStopping)
    {
        _viewer = viewer;
        _callCancelled = callCancelled;
        var operatorId = viewer.Id;
        var watchId = _watchId = Interlocked.Increment(ref _nextWatchId);
        using var subscription = broadcaster.Subscribe();
        _subscription = subscription;
        // Ending the stream (lockdown, revocation, shutdown) cancels reads and waits at once; a write in
        // progress gets a short grace to finish, so the client sees the status saying why
        // (LOCKED_DOWN, TOKEN_REVOKED, ...) rather than a reset (see WriteAsync). Overflow is not part
        // of this token: the overflowed queue holds nothing more, so waiting for that one write (up
        // to the write timeout) costs no memory.
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
        catch (WatcherTooSlowException ex) when (ex.StreamReset)
        {
            // No status can follow a reset; the client sees RESOURCE_EXHAUSTED and resumes from its last revision.
            ServerLog.WatchStalled(logger, watchId, (long)options.WriteTimeout.TotalSeconds, _delivered);
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
                throw ErrorTranslation.WatchEnded(ErrorReasons.LockedDown, StatusCode.Unavailable,
                    "The installation was locked down by an administrator; resume after it is unlocked.", _delivered + 1);
            }
            if (subscription.IsOverflowed || ex is WatcherTooSlowException)
            {
                ServerLog.WatchTooSlow(logger, watchId, subscription.Buffered, _delivered);
                throw ErrorTranslation.WatchEnded(ErrorReasons.WatchTooSlow, StatusCode.ResourceExhausted,
                    "This watcher fell too far behind the live feed and was cut off; resume with start_revision = resume_revision.", _delivered + 1);
            }
            if (serverStopping.IsCancellationRequested && !callCancelled.IsCancellationRequested)
            {
                ServerLog.WatchEnded(logger, watchId, _delivered, "server shutting down");
                throw ErrorTranslation.WatchEnded(ErrorReasons.ShuttingDown, StatusCode.Unavailable,
                    "The server is shutting down; resume the watch against the restarted server.", _delivered + 1);
            }
            if (!callCancelled.IsCancellationRequested)
            {
                throw;
            }
            ServerLog.WatchEnded(logger, watchId, _delivered, "client went away");
        }
        finally
        {
            await RecordEndAsync();
        }
    }

    /// <summary>
    /// Records in the audit trail that the stream opens now, after the set or the start of the replay
    /// is settled and before anything of either is read: from what revision, and for a snapshot,
    /// which closed window. Requests are not named; a request's trail works out from this which
    /// streams could have sent it.
    /// </summary>
    private async Task OpenAuditAsync(IWorkingSetSnapshot? snapshot, long fromRevision, CancellationToken cancellationToken)
    {
        await RecordEndAsync();
        _lease = snapshot is null
            ? await store.RecordWatchStartAsync(_viewer.Id, fromRevision, cancellationToken)
            : await store.RecordWatchStartAsync(_viewer.Id, snapshot, cancellationToken);
        _sent = _lease.FromRevision;
    }

    /// <summary>
    /// Records that the stream sent nothing above what was handed to the writer. Best effort: a
    /// stream ended by a lockdown cannot sign it (the chain's key is gone) and one ended by shutdown
    /// may find the store closed; its last record's lease then bounds what it could have sent.
    /// </summary>
    private async Task RecordEndAsync()
    {
        if (_lease is not { } lease)
        {
            return;
        }
        _lease = null;
        try
        {
            await store.RecordWatchEndAsync(lease, _sent, CancellationToken.None).WaitAsync(EndRecordLimit);
        }
        catch (Exception ex)
        {
            // Whatever went wrong here must not replace the status the stream ends with.
            ServerLog.WatchEndNotRecorded(logger, _watchId, lease.Stream, FailureDescription.TypeOf(ex));
        }
    }

    /// <summary>
    /// The working set (open requests and those closed within <see cref="WatchOptions.ClosedWindow"/>)
    /// at one revision R, a page read from the store and written before the next is read, so the
    /// stream holds one page at most. The subscription already taken catches every change above R,
    /// including those of requests the store leaves out of a page because they changed after R.
    /// </summary>
    private async Task SendSnapshotAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var snapshot = await store.ReadWorkingSetAsync(options.ClosedWindow, cancellationToken);
        await OpenAuditAsync(snapshot, snapshot.Revision, cancellationToken);
        var sent = 0;
        var pages = 0;
        await foreach (var page in snapshot.ReadPagesAsync(SnapshotPageSize, cancellationToken))
        {
            var message = new V1.WatchSnapshot();
            message.Requests.AddRange(page.Select(r => ContractMapping.ToContract(r, _viewer)));
            await WriteAsync(new V1.WatchRequestsResponse { Snapshot = message }, cancellationToken);
            sent += page.Count;
            pages++;
        }
        await WriteAsync(new V1.WatchRequestsResponse { SnapshotEnd = new V1.WatchSnapshotEnd { Revision = snapshot.Revision } }, cancellationToken);
        _delivered = snapshot.Revision;
        ServerLog.WatchSnapshotSent(logger, _watchId, sent, pages, snapshot.Revision, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task ReplayAsync(long startRevision, CancellationToken cancellationToken)
    {
        if (startRevision > store.CommittedRevision + 1)
        {
            await ResetAsync("REVISION_AHEAD", cancellationToken);
            return;
        }
        await OpenAuditAsync(snapshot: null, startRevision - 1, cancellationToken);
        _delivered = startRevision - 1;
        while (true)
        {
            var replay = await store.ReadChangesAsync(_delivered + 1, ReplayPageSize, cancellationToken);
            if (replay.Compacted)
            {
                await ResetAsync("REVISION_COMPACTED", cancellationToken);
                return;
            }
            var holders = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var change in replay.Changes)
            {
                var now = await AsHeldNowAsync(change, holders, cancellationToken);
                await SendChangeAsync(change.Revision,
                    new V1.WatchRequestsResponse { Change = ContractMapping.ToContract(now, _viewer) }, cancellationToken);
            }
            // Changes left out (their request being purged) are passed over, not read again.
            _delivered = Math.Max(_delivered, replay.ReadThrough);
            if (!replay.More)
            {
                // Tells a resuming client at once that the stream is live, even when it missed nothing.
                await WriteAsync(new V1.WatchRequestsResponse { Progress = new V1.WatchProgress { Revision = _delivered } }, cancellationToken);
                return;
            }
        }
    }

    /// <summary>
    /// A replayed change shows the request as it was at its revision, holder included; a handle must
    /// still be shown only as the watcher's rights are now. An operator who held the request then but
    /// not now gets the handle masked (the holder is looked up once per request and replay page).
    /// </summary>
    private async Task<RequestChange> AsHeldNowAsync(RequestChange change, Dictionary<string, string?> holders, CancellationToken cancellationToken)
    {
        if (change.Request is not { } request || request.ContactHandle.Length == 0
            || !ContactVisibility.SeesFullHandle(_viewer, request.Assignee) || _viewer.Role >= Role.Supervisor)
        {
            return change;
        }
        if (!holders.TryGetValue(request.Id, out var holder))
        {
            holder = (await store.OutlineAsync(request.Id, cancellationToken))?.Assignee;
            holders[request.Id] = holder;
        }
        return ContactVisibility.SeesFullHandle(_viewer, holder)
            ? change
            : change with { Request = request with { ContactHandle = ContactVisibility.Mask(request.ContactHandle) } };
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
        var lease = _lease ?? throw new InvalidOperationException("A change was about to be sent before the stream was recorded.");
        if (revision > lease.Until)
        {
            // The record must be on disk before the change leaves: it is what the trail finds the stream by.
            _lease = await store.RecordWatchProgressAsync(lease, revision - 1, cancellationToken);
        }
        _sent = Math.Max(_sent, revision);
        await WriteAsync(message, cancellationToken);
        _delivered = revision;
    }

    /// <summary>
    /// Writes unless the stream has ended (<paramref name="ended"/>). A write the client does not
    /// take within the write timeout resets the stream as too slow. A write still in progress when
    /// the stream is ended gets <see cref="EndGrace"/> to finish, then the stream is reset; either
    /// way this returns only once the write can no longer run.
    /// </summary>
    private async Task WriteAsync(V1.WatchRequestsResponse message, CancellationToken ended)
    {
        ended.ThrowIfCancellationRequested();
        // No cancellation token goes to the gRPC writer, on purpose: the writer resets the stream
        // from the token's callback, and a token driven by a timer can fire after the call has
        // finished, when that callback throws on the timer thread and ends the process. Every reset
        // is done here instead, while the call is running.
        Task write;
        try
        {
            write = stream.WriteAsync(message);
        }
        catch (InvalidOperationException) when (_callCancelled.IsCancellationRequested)
        {
            // The client left between the check above and the write: grpc-dotnet refuses writes to a
            // finished request. That is the client going away, not a failure.
            throw new OperationCanceledException(_callCancelled);
        }
        if (write.IsCompletedSuccessfully)
        {
            return;
        }
        try
        {
            await write.WaitAsync(options.WriteTimeout, ended);
        }
        catch (InvalidOperationException) when (_callCancelled.IsCancellationRequested)
        {
            throw new OperationCanceledException(_callCancelled);
        }
        catch (TimeoutException)
        {
            if (write.IsCompleted)
            {
                // Taken just as the timeout fired: not too slow after all.
                await write;
                return;
            }
            reset.TooSlow();
            await AbandonAsync(write);
            throw new WatcherTooSlowException { StreamReset = true };
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            if (!_callCancelled.IsCancellationRequested && !await CompletesWithinAsync(write, EndGrace))
            {
                reset.Ended();
            }
            await AbandonAsync(write);
            throw;
        }
    }

    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan limit)
    {
        if (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(limit));
        }
        return task.IsCompleted;
    }

    /// <summary>
    /// Waits for a write nobody needs any more (its stream reset or gone), so that nothing of the
    /// call is still running when it finishes, and observes the write's failure, which is expected.
    /// </summary>
    private async Task AbandonAsync(Task write)
    {
        if (await CompletesWithinAsync(write, AbandonLimit))
        {
            _ = write.Exception;
            return;
        }
        ServerLog.WatchWriteNotReleased(logger, _watchId, (long)AbandonLimit.TotalSeconds);
        _ = write.ContinueWith(static t => t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The watcher's queue was closed because it fell behind, or a write timed out.</summary>
    private sealed class WatcherTooSlowException : Exception
    {
        /// <summary>The stream was reset because the client stopped taking data: no status can reach it.</summary>
        public bool StreamReset { get; init; }
    }
}
