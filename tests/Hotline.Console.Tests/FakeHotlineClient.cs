using System.Runtime.CompilerServices;
using Grpc.Core;
using Hotline.Console.Remote;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests;

/// <summary>
/// A server in memory for view and operation tests: mutations change its copy of a request,
/// bump the revision and return it, or fail once with <see cref="RefuseNext"/>. Calls are recorded.
/// </summary>
internal sealed class FakeHotlineClient : IHotlineClient
{
    private long _revision = 1000;

    public Dictionary<string, HelpRequest> Stored { get; } = new(StringComparer.Ordinal);

    public List<string> Calls { get; } = [];

    /// <summary>The next mutation fails with this.</summary>
    public RpcException? RefuseNext { get; set; }

    /// <summary>The next mutation fails with this: a failure no refusal describes (a bug, a broken library).</summary>
    public Exception? FailNext { get; set; }

    /// <summary>While set, mutations wait for it to complete first (or for their cancellation): a server that does not answer.</summary>
    public TaskCompletionSource? HoldMutations { get; set; }

    public Operator Me { get; set; } = Requests.Anna;

    public List<Operator> People { get; } = [Requests.Anna, Requests.Lena, Requests.Timur];

    /// <summary>What WatchAsync streams for a given start revision; throws to simulate a broken link.</summary>
    public Func<long, CancellationToken, IAsyncEnumerable<WatchRequestsResponse>>? Watch { get; set; }

    public List<long> WatchStarts { get; } = [];

    /// <summary>What the watch loop posts on signing in to this server and loading <paramref name="requests"/>: a model fed these is connected and loaded.</summary>
    public FeedEvent[] SignedIn(HelpRequest[] requests, long revision) =>
    [
        new IdentityKnown(Me, People),
        new StreamOpened(0),
        new ConnectionChanged(ConnectionStatus.Connected),
        Requests.Snapshot(requests),
        Requests.SnapshotEnd(revision),
    ];

    public void Store(params HelpRequest[] requests)
    {
        foreach (var request in requests)
        {
            Stored[request.Name] = request.Clone();
        }
    }

    public Task<Operator> WhoAmIAsync(CancellationToken cancellationToken) => Task.FromResult(Me);

    public int EndMySessionCalls { get; private set; }

    public Task EndMySessionAsync(CancellationToken cancellationToken)
    {
        EndMySessionCalls++;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Operator>> ListOperatorsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Operator>>(People);

    public async IAsyncEnumerable<WatchRequestsResponse> WatchAsync(long startRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        WatchStarts.Add(startRevision);
        if (Watch is null)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }
        await foreach (var message in Watch(startRevision, cancellationToken))
        {
            yield return message;
        }
    }

    public Task<HelpRequest> GetAsync(string name, CancellationToken cancellationToken)
    {
        Calls.Add($"get {name}");
        return Task.FromResult(Stored[name].Clone());
    }

    /// <summary>Answers ListRelatedAsync: the other requests of one requester, newest first, split into pages of the asked size.</summary>
    public Dictionary<string, List<HelpRequest>> Related { get; } = new(StringComparer.Ordinal);

    /// <summary>Answers ListAuditEventsAsync: the events naming one request, oldest first, split into pages of the asked size.</summary>
    public Dictionary<string, List<AuditEvent>> Audit { get; } = new(StringComparer.Ordinal);

    /// <summary>The next list call (related requests or audit events) fails with this.</summary>
    public RpcException? RefuseNextList { get; set; }

    /// <summary>While set, list calls wait for it to complete first: a slow link.</summary>
    public TaskCompletionSource? HoldList { get; set; }

    public async Task<ListRelatedRequestsResponse> ListRelatedAsync(string name, int pageSize, string pageToken, CancellationToken cancellationToken)
    {
        var all = Related.GetValueOrDefault(name) ?? [];
        var (page, next) = await PageAsync($"related {name} size {pageSize} token '{pageToken}'", all, pageSize, pageToken, cancellationToken);
        var response = new ListRelatedRequestsResponse { TotalSize = all.Count, NextPageToken = next };
        response.Requests.AddRange(page.Select(r => r.Clone()));
        return response;
    }

    /// <summary>Answers GetQueueStatsAsync; each call is recorded as "stats".</summary>
    public GetQueueStatsResponse QueueStats { get; set; } = new();

    /// <summary>The next GetQueueStatsAsync fails with this.</summary>
    public RpcException? RefuseNextStats { get; set; }

    public Task<GetQueueStatsResponse> GetQueueStatsAsync(CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add("stats");
        }
        if (RefuseNextStats is { } refusal)
        {
            RefuseNextStats = null;
            return Task.FromException<GetQueueStatsResponse>(refusal);
        }
        return Task.FromResult(QueueStats.Clone());
    }

    public async Task<ListAuditEventsResponse> ListAuditEventsAsync(string name, int pageSize, string pageToken, CancellationToken cancellationToken)
    {
        var (page, next) = await PageAsync($"audit {name} size {pageSize} token '{pageToken}'", Audit.GetValueOrDefault(name) ?? [], pageSize,
            pageToken, cancellationToken);
        var response = new ListAuditEventsResponse { NextPageToken = next };
        response.Events.AddRange(page.Select(e => e.Clone()));
        return response;
    }

    /// <summary>Records the call, waits while held, fails once if told to, then cuts one page out of <paramref name="all"/> (tokens are offsets).</summary>
    private async Task<(List<T> Page, string NextPageToken)> PageAsync<T>(string call, List<T> all, int pageSize, string pageToken,
        CancellationToken cancellationToken)
    {
        Calls.Add(call);
        if (HoldList is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }
        if (RefuseNextList is { } refusal)
        {
            RefuseNextList = null;
            throw refusal;
        }
        var offset = pageToken.Length == 0 ? 0 : int.Parse(pageToken, System.Globalization.CultureInfo.InvariantCulture);
        var next = offset + pageSize < all.Count ? (offset + pageSize).ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        return ([.. all.Skip(offset).Take(pageSize)], next);
    }

    public Task<HelpRequest> AssignAsync(string name, string assignee, CancellationToken cancellationToken) =>
        AssignAsync(name, assignee, "", cancellationToken);

    public Task<HelpRequest> AssignAsync(string name, string assignee, string handOverNote, CancellationToken cancellationToken) =>
        MutateAsync($"assign {name} to '{assignee}'" + (handOverNote.Length > 0 ? $" note '{handOverNote}'" : ""), name, r =>
        {
            r.Assignee = assignee.Length == 0 ? Me.Name : assignee;
            r.State = RequestState.Assigned;
        }, cancellationToken);

    public Task<HelpRequest> ReleaseAsync(string name, string etag, CancellationToken cancellationToken) =>
        MutateAsync($"release {name} etag {etag}", name, r =>
        {
            r.Assignee = "";
            r.State = RequestState.New;
        }, cancellationToken);

    public Task<HelpRequest> AddNoteAsync(string name, string text, string requestId, CancellationToken cancellationToken) =>
        MutateAsync($"note {name} '{text}' id {requestId}", name, r => r.Notes.Add(new Note { Id = requestId, Author = Me.Name, Text = text }), cancellationToken);

    public Task<HelpRequest> TriageAsync(string name, Urgency urgency, IReadOnlyList<string> tags, string etag, CancellationToken cancellationToken) =>
        MutateAsync($"triage {name} {urgency} [{string.Join(",", tags)}] etag {etag}", name, r =>
        {
            r.Urgency = urgency;
            r.Tags.Clear();
            r.Tags.AddRange(tags);
        }, cancellationToken);

    public Task<HelpRequest> CloseAsync(string name, Resolution resolution, string comment, string etag, CancellationToken cancellationToken) =>
        MutateAsync($"close {name} {resolution} '{comment}' etag {etag}", name, r =>
        {
            r.State = RequestState.Closed;
            r.Resolution = resolution;
            r.ResolutionComment = comment;
            r.ClosedBy = Me.Name;
        }, cancellationToken);

    public Task<HelpRequest> ReopenAsync(string name, string comment, string etag, CancellationToken cancellationToken) =>
        MutateAsync($"reopen {name} '{comment}' etag {etag}", name, r =>
        {
            r.State = r.Assignee.Length > 0 ? RequestState.Assigned : RequestState.New;
            r.Resolution = Resolution.Unspecified;
        }, cancellationToken);

    public Task<HelpRequest> SetFollowUpAsync(string name, DateTimeOffset dueTime, string reason, string etag, CancellationToken cancellationToken) =>
        MutateAsync($"follow up {name} at {dueTime:O} '{reason}' etag {etag}", name, r =>
        {
            r.State = RequestState.Waiting;
            r.FollowUp = new FollowUp { DueTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(dueTime), Reason = reason, SetBy = r.Assignee };
        }, cancellationToken);

    private async Task<HelpRequest> MutateAsync(string call, string name, Action<HelpRequest> change, CancellationToken cancellationToken)
    {
        Calls.Add(call);
        if (HoldMutations is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }
        if (RefuseNext is { } refusal)
        {
            RefuseNext = null;
            throw refusal;
        }
        if (FailNext is { } failure)
        {
            FailNext = null;
            throw failure;
        }
        var updated = Stored[name].Clone();
        change(updated);
        updated.Revision = ++_revision;
        updated.Etag = $"e{updated.Revision}";
        Stored[name] = updated;
        return updated.Clone();
    }
}
