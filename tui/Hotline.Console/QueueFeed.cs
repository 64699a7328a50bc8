using System.Globalization;
using Grpc.Core;
using Hotline.Contract.V1;

namespace Hotline.Console;

/// <summary>
/// Follows WatchRequests: snapshot, then changes, reconnecting with backoff and resuming from the
/// last applied revision so nothing is missed or applied twice. Prints one line per change,
/// naming the request by number and never showing what the requester wrote.
/// </summary>
public sealed class QueueFeed(RequestService.RequestServiceClient client, Metadata headers, TextWriter output)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly Dictionary<string, HelpRequest> _requests = new(StringComparer.Ordinal);
    private long _applied;

    public long AppliedRevision => _applied;

    public IReadOnlyDictionary<string, HelpRequest> Requests => _requests;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await FollowOnceAsync(cancellationToken);
            }
            catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{Now()} disconnected ({ex.StatusCode}); reconnecting in {backoff.TotalSeconds:0.#} s from revision {_applied + 1}"));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await Task.Delay(backoff, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task FollowOnceAsync(CancellationToken cancellationToken)
    {
        var start = _applied == 0 ? 0 : _applied + 1;
        using var call = client.WatchRequests(new WatchRequestsRequest { StartRevision = start }, headers, cancellationToken: cancellationToken);
        var snapshot = new List<HelpRequest>();
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            switch (message.EventCase)
            {
                case WatchRequestsResponse.EventOneofCase.Reset:
                    snapshot.Clear();
                    break;
                case WatchRequestsResponse.EventOneofCase.Snapshot:
                    snapshot.AddRange(message.Snapshot.Requests);
                    break;
                case WatchRequestsResponse.EventOneofCase.SnapshotEnd:
                    _requests.Clear();
                    foreach (var r in snapshot)
                    {
                        _requests[r.Name] = r;
                    }
                    snapshot.Clear();
                    _applied = message.SnapshotEnd.Revision;
                    var open = _requests.Values.Count(r => r.State != RequestState.Closed);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{Now()} queue loaded: {open} open, {_requests.Count} in all, revision {_applied}"));
                    break;
                case WatchRequestsResponse.EventOneofCase.Change when message.Change.Revision > _applied:
                    Apply(message.Change);
                    await output.WriteLineAsync(Describe(message.Change));
                    break;
                case WatchRequestsResponse.EventOneofCase.Progress:
                    _applied = Math.Max(_applied, message.Progress.Revision);
                    break;
            }
        }
    }

    private void Apply(RequestChange change)
    {
        if (change.Kind == ChangeKind.Deleted)
        {
            _requests.Remove(change.Name);
        }
        else
        {
            _requests[change.Name] = change.Request;
        }
        _applied = change.Revision;
    }

    private static string Describe(RequestChange change)
    {
        var r = change.Request;
        var what = change.Kind.ToString().ToUpperInvariant();
        if (r is null)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Now()} r{change.Revision} {change.Name} {what}");
        }
        var assignee = r.Assignee.Length > 0 ? " " + r.Assignee : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Now()} r{change.Revision} #{r.Number} {what} {r.Urgency.ToString().ToUpperInvariant()} {r.Channel.ToString().ToUpperInvariant()} {r.State.ToString().ToUpperInvariant()}{assignee} by {change.Actor}");
    }

    private static string Now() => DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
