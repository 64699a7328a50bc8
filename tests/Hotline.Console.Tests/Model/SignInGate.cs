using Grpc.Core;
using Hotline.Console.Remote;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Model;

/// <summary>
/// A client whose sign-in (WhoAmI, the first call of every attempt) fails while
/// <see cref="Refusal"/> returns an error, as a server that is down or no longer accepts the
/// token does; every other call goes to the inner fake. Failing the watch call instead would
/// not do: by then the attempt has signed in, which is a different case.
/// </summary>
internal sealed class SignInGate(FakeHotlineClient inner) : IHotlineClient
{
    public Func<RpcException?> Refusal { get; set; } = () => null;

    public int SignIns { get; private set; }

    public Task<Operator> WhoAmIAsync(CancellationToken cancellationToken)
    {
        SignIns++;
        return Refusal() is { } refusal ? Task.FromException<Operator>(refusal) : inner.WhoAmIAsync(cancellationToken);
    }

    public Task<IReadOnlyList<Operator>> ListOperatorsAsync(CancellationToken cancellationToken) => inner.ListOperatorsAsync(cancellationToken);

    public Task EndMySessionAsync(CancellationToken cancellationToken) => inner.EndMySessionAsync(cancellationToken);

    public IAsyncEnumerable<WatchRequestsResponse> WatchAsync(long startRevision, CancellationToken cancellationToken) =>
        inner.WatchAsync(startRevision, cancellationToken);

    public Task<HelpRequest> GetAsync(string name, CancellationToken cancellationToken) => inner.GetAsync(name, cancellationToken);

    public Task<ListRelatedRequestsResponse> ListRelatedAsync(string name, int pageSize, string pageToken, CancellationToken cancellationToken) =>
        inner.ListRelatedAsync(name, pageSize, pageToken, cancellationToken);

    public Task<ListAuditEventsResponse> ListAuditEventsAsync(string name, int pageSize, string pageToken, CancellationToken cancellationToken) =>
        inner.ListAuditEventsAsync(name, pageSize, pageToken, cancellationToken);

    public Task<GetQueueStatsResponse> GetQueueStatsAsync(CancellationToken cancellationToken) => inner.GetQueueStatsAsync(cancellationToken);

    public Task<HelpRequest> AssignAsync(string name, string assignee, CancellationToken cancellationToken) =>
        inner.AssignAsync(name, assignee, cancellationToken);

    public Task<HelpRequest> ReleaseAsync(string name, string etag, CancellationToken cancellationToken) =>
        inner.ReleaseAsync(name, etag, cancellationToken);

    public Task<HelpRequest> AddNoteAsync(string name, string text, string requestId, CancellationToken cancellationToken) =>
        inner.AddNoteAsync(name, text, requestId, cancellationToken);

    public Task<HelpRequest> TriageAsync(string name, Urgency urgency, IReadOnlyList<string> tags, string etag, CancellationToken cancellationToken) =>
        inner.TriageAsync(name, urgency, tags, etag, cancellationToken);

    public Task<HelpRequest> CloseAsync(string name, Resolution resolution, string comment, string etag, CancellationToken cancellationToken) =>
        inner.CloseAsync(name, resolution, comment, etag, cancellationToken);

    public Task<HelpRequest> ReopenAsync(string name, string comment, string etag, CancellationToken cancellationToken) =>
        inner.ReopenAsync(name, comment, etag, cancellationToken);

    public Task<HelpRequest> AssignAsync(string name, string assignee, string handOverNote, CancellationToken cancellationToken) =>
        inner.AssignAsync(name, assignee, handOverNote, cancellationToken);

    public Task<HelpRequest> SetFollowUpAsync(string name, DateTimeOffset dueTime, string reason, string etag, CancellationToken cancellationToken) =>
        inner.SetFollowUpAsync(name, dueTime, reason, etag, cancellationToken);
}
