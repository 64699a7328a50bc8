using System.Diagnostics;
using Grpc.Core;
using Hotline.Contract.V1;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// A WatchRequests client that keeps every change exactly as it arrived on the wire (nothing
/// dropped, so a duplicate or a gap shows), and when its stream fails resumes on the same channel
/// from the revision after the last one it received, as the contract tells clients to. With a
/// channel over several addresses that is a failover: the next call goes to the next server.
/// </summary>
internal sealed class FeedRecorder
{
    private readonly Lock _gate = new();
    private readonly List<RecordedChange> _changes = [];
    private readonly TaskCompletionSource<long> _snapshotEnd = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RequestService.RequestServiceClient _client;
    private readonly string _caller;
    private long _lastRevision;
    private int _failures;
    private int _resets;
    private long _firstFailureAt;
    private long _resumedAt;

    private FeedRecorder(RequestService.RequestServiceClient client, string caller)
    {
        _client = client;
        _caller = caller;
    }

    /// <summary>The running watch loop; it ends when the token given to <see cref="Start"/> is cancelled.</summary>
    public Task Running { get; private set; } = Task.CompletedTask;

    /// <summary>Completes with the revision of the first snapshot's end.</summary>
    public Task<long> SnapshotEnded => _snapshotEnd.Task;

    public long LastRevision => Interlocked.Read(ref _lastRevision);

    /// <summary>Streams that failed (each followed by a resume).</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Resets received: a resume the server could not serve from its change log.</summary>
    public int Resets => Volatile.Read(ref _resets);

    /// <summary>Stopwatch timestamp of the first failure, 0 before it.</summary>
    public long FirstFailureAt => Interlocked.Read(ref _firstFailureAt);

    /// <summary>Stopwatch timestamp of the first message on the stream opened after the first failure, 0 before it.</summary>
    public long ResumedAt => Interlocked.Read(ref _resumedAt);

    public IReadOnlyList<RecordedChange> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    public static FeedRecorder Start(RequestService.RequestServiceClient client, string caller, CancellationToken stop)
    {
        var recorder = new FeedRecorder(client, caller);
        recorder.Running = Task.Run(() => recorder.RunAsync(stop), CancellationToken.None);
        return recorder;
    }

    /// <summary>Waits until a change at or after <paramref name="revision"/> has arrived.</summary>
    public async Task WaitForRevisionAsync(long revision, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (LastRevision < revision)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"The watcher reached revision {LastRevision}, not {revision}, within {timeout.TotalSeconds} s.");
            }
            await Task.Delay(20);
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        long? resumeFrom = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var request = resumeFrom is { } from ? new WatchRequestsRequest { StartRevision = from } : new WatchRequestsRequest();
                using var call = _client.WatchRequests(request, HotlineTestServer.Streaming(_caller, stop));
                while (await call.ResponseStream.MoveNext(stop))
                {
                    if (resumeFrom is not null && FirstFailureAt != 0)
                    {
                        Interlocked.CompareExchange(ref _resumedAt, Stopwatch.GetTimestamp(), 0);
                    }
                    Record(call.ResponseStream.Current);
                }
            }
            catch (RpcException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException)
            {
                // The server went away (or refused): resume below.
            }
            if (stop.IsCancellationRequested)
            {
                return;
            }
            Interlocked.Increment(ref _failures);
            Interlocked.CompareExchange(ref _firstFailureAt, Stopwatch.GetTimestamp(), 0);
            if (SnapshotEnded.IsCompleted)
            {
                resumeFrom = LastRevision + 1;
            }
            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Record(WatchRequestsResponse message)
    {
        switch (message.EventCase)
        {
            case WatchRequestsResponse.EventOneofCase.SnapshotEnd:
                Interlocked.Exchange(ref _lastRevision, Math.Max(LastRevision, message.SnapshotEnd.Revision));
                _snapshotEnd.TrySetResult(message.SnapshotEnd.Revision);
                break;
            case WatchRequestsResponse.EventOneofCase.Change:
                lock (_gate)
                {
                    _changes.Add(new RecordedChange(message.Change.Revision, message.Change.Name, message.Change.Kind));
                }
                Interlocked.Exchange(ref _lastRevision, Math.Max(LastRevision, message.Change.Revision));
                break;
            case WatchRequestsResponse.EventOneofCase.Reset:
                Interlocked.Increment(ref _resets);
                break;
            default:
                break;
        }
    }
}

/// <summary>One change as a watcher received it: no request content, only what identifies it.</summary>
internal sealed record RecordedChange(long Revision, string Name, ChangeKind Kind);
