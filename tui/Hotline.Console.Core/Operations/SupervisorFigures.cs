using Grpc.Core;
using Hotline.Console.Presentation;
using Hotline.Console.Remote;
using Hotline.Contract.V1;

namespace Hotline.Console.Operations;

/// <summary>
/// The supervisor screen's figures: the last ones read from the server, and whether a read is on
/// its way or failed. Reads are asked for on every change of the queue and every few seconds, at
/// most one at a time and at most one per <see cref="MinInterval"/>, so a burst of changes costs
/// the server one call.
/// </summary>
/// <remarks>Not thread-safe: <see cref="TryBegin"/> and <see cref="Apply"/> on the UI thread, <see cref="FetchAsync"/> anywhere.</remarks>
public sealed class SupervisorFigures(IHotlineClient client, TimeProvider time)
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private DateTimeOffset _lastBegun = DateTimeOffset.MinValue;

    public GetQueueStatsResponse? Latest { get; private set; }

    public bool Loading { get; private set; }

    /// <summary>Why the last read failed, to show instead of its time; null after a good one.</summary>
    public string? Failure { get; private set; }

    /// <summary>Starts a read unless one is on its way or one began less than <see cref="MinInterval"/> ago; <paramref name="force"/> skips the latter.</summary>
    public bool TryBegin(bool force = false)
    {
        var now = time.GetUtcNow();
        if (Loading || (!force && now - _lastBegun < MinInterval))
        {
            return false;
        }
        Loading = true;
        _lastBegun = now;
        return true;
    }

    /// <summary>True when the periodic read is due.</summary>
    public bool Due => !Loading && time.GetUtcNow() - _lastBegun >= RefreshInterval;

    /// <summary>Reads the figures. Never throws for a refusal or a broken link: the failure comes back to show.</summary>
    public async Task<(GetQueueStatsResponse? Figures, RpcException? Error)> FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetQueueStatsAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (RpcException error)
        {
            return (null, error);
        }
        catch (OperationCanceledException)
        {
            return (null, new RpcException(new Status(StatusCode.Cancelled, "The screen was closed.")));
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            return (null, new RpcException(new Status(StatusCode.Internal, error.GetType().Name)));
        }
    }

    public void Apply((GetQueueStatsResponse? Figures, RpcException? Error) fetch)
    {
        Loading = false;
        if (fetch.Figures is { } figures)
        {
            Latest = figures;
            Failure = null;
            return;
        }
        var error = fetch.Error!;
        Failure = error.StatusCode switch
        {
            StatusCode.PermissionDenied => "The server refused: the supervisor screen is for supervisors and admins.",
            StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled =>
                "The server did not answer; the figures below may be old. Trying again.",
            _ => $"Could not read the figures: the server refused ({error.StatusCode}).",
        };
    }

    /// <summary>The status line for the screen.</summary>
    public string StatusText(TimeZoneInfo zone) => SupervisorLines.Status(Latest?.ReadTime?.ToDateTimeOffset(), Loading, Failure, zone);
}
