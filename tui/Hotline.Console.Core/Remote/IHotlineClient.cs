using Hotline.Contract.V1;

namespace Hotline.Console.Remote;

/// <summary>
/// The calls the console makes, shaped for it. Failures surface as <see cref="Grpc.Core.RpcException"/>
/// carrying google.rpc.ErrorInfo, exactly as the server sent them.
/// </summary>
public interface IHotlineClient
{
    Task<Operator> WhoAmIAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<Operator>> ListOperatorsAsync(CancellationToken cancellationToken);

    /// <summary>Revokes the token this console signed in with and ends its streams everywhere (the panic key).</summary>
    Task EndMySessionAsync(CancellationToken cancellationToken);

    /// <summary>WatchRequests from <paramref name="startRevision"/> (0 = snapshot first).</summary>
    IAsyncEnumerable<WatchRequestsResponse> WatchAsync(long startRevision, CancellationToken cancellationToken);

    Task<HelpRequest> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>One page of the other requests from the same requester as <paramref name="name"/>, newest first.</summary>
    /// <param name="pageToken">Empty for the first page, then the previous page's `next_page_token`.</param>
    Task<ListRelatedRequestsResponse> ListRelatedAsync(string name, int pageSize, string pageToken, CancellationToken cancellationToken);

    /// <summary>One page of the audit events naming <paramref name="name"/>, oldest first. Supervisors and admins only.</summary>
    /// <param name="pageToken">Empty for the first page, then the previous page's `next_page_token`.</param>
    Task<ListAuditEventsResponse> ListAuditEventsAsync(string name, int pageSize, string pageToken, CancellationToken cancellationToken);

    /// <summary>The supervisor figures of the queue now (StatsService.GetQueueStats). Supervisors and admins only.</summary>
    Task<GetQueueStatsResponse> GetQueueStatsAsync(CancellationToken cancellationToken);

    /// <summary>Assigns to <paramref name="assignee"/> (`operators/{id}`), or to the caller when empty.</summary>
    Task<HelpRequest> AssignAsync(string name, string assignee, CancellationToken cancellationToken);

    /// <summary>Gives the request to a colleague with a note they see first (AssignRequest's hand_over_note).</summary>
    Task<HelpRequest> AssignAsync(string name, string assignee, string handOverNote, CancellationToken cancellationToken);

    Task<HelpRequest> ReleaseAsync(string name, string etag, CancellationToken cancellationToken);

    Task<HelpRequest> AddNoteAsync(string name, string text, string requestId, CancellationToken cancellationToken);

    Task<HelpRequest> TriageAsync(string name, Urgency urgency, IReadOnlyList<string> tags, string etag, CancellationToken cancellationToken);

    Task<HelpRequest> CloseAsync(string name, Resolution resolution, string comment, string etag, CancellationToken cancellationToken);

    Task<HelpRequest> ReopenAsync(string name, string comment, string etag, CancellationToken cancellationToken);

    /// <summary>Sets the follow-up of a held request; it then waits (SetFollowUp).</summary>
    Task<HelpRequest> SetFollowUpAsync(string name, DateTimeOffset dueTime, string reason, string etag, CancellationToken cancellationToken);
}
