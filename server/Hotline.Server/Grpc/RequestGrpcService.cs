using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Hosting;
using Hotline.Server.Live;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Grpc;

/// <summary>
/// RequestService: each method takes the caller (the access interceptor has already checked the
/// role), builds a domain command, runs it through the store, and maps the result as the caller
/// may see it (<see cref="ContactVisibility"/>).
/// </summary>
public sealed class RequestGrpcService(
    IRequestStore store,
    OperatorDirectory directory,
    ICallerResolver callers,
    SessionRegistry sessions,
    ChangeBroadcaster broadcaster,
    IOptions<HotlineOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<RequestGrpcService> logger) : RequestService.RequestServiceBase
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1_000;

    public override async Task<GetRequestResponse> GetRequest(GetRequestRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var id = ContractMapping.ParseRequestName(request.Name);
        var found = await store.GetAsync(id, caller.Id, context.CancellationToken);
        if (found is null)
        {
            DomainException.ThrowRequestNotFound(id);
        }
        return new GetRequestResponse { Request = ContractMapping.ToContract(found, caller) };
    }

    public override async Task<ListRequestsResponse> ListRequests(ListRequestsRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        if (request.PageSize < 0)
        {
            DomainException.ThrowInvalid("page_size", "must not be negative");
        }
        var query = new RequestQuery
        {
            Terms = QuerySyntax.ParseFilter(request.Filter, caller.Id),
            Order = QuerySyntax.ParseOrder(request.OrderBy),
            Offset = PageTokens.Decode(request.PageToken, request.Filter, request.OrderBy, caller.Id),
            Limit = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize),
        };
        var page = await store.ListAsync(query, caller.Id, context.CancellationToken);
        var response = new ListRequestsResponse { Revision = page.Revision, TotalSize = page.TotalSize };
        response.Requests.AddRange(page.Requests.Select(r => ContractMapping.ToContract(r, caller)));
        var next = query.Offset + page.Requests.Count;
        if (next < page.TotalSize)
        {
            response.NextPageToken = PageTokens.Encode(next, request.Filter, request.OrderBy, caller.Id);
        }
        return response;
    }

    public override async Task<ListRelatedRequestsResponse> ListRelatedRequests(ListRelatedRequestsRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var id = ContractMapping.ParseRequestName(request.Name);
        if (request.PageSize < 0)
        {
            DomainException.ThrowInvalid("page_size", "must not be negative");
        }
        var offset = PageTokens.Decode(request.PageToken, request.Name, "related", caller.Id);
        var limit = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        var page = await store.ListRelatedAsync(id, caller.Id, offset, limit, context.CancellationToken);
        var response = new ListRelatedRequestsResponse { TotalSize = page.TotalSize };
        response.Requests.AddRange(page.Requests.Select(r => ContractMapping.ToContract(r, caller)));
        var next = offset + page.Requests.Count;
        if (next < page.TotalSize && page.Requests.Count > 0)
        {
            response.NextPageToken = PageTokens.Encode(next, request.Name, "related", caller.Id);
        }
        return response;
    }

    public override async Task<AssignRequestResponse> AssignRequest(AssignRequestRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var id = ContractMapping.ParseRequestName(request.Name);
        var target = caller;
        if (request.Assignee.Length > 0)
        {
            var targetId = ContractMapping.ParseOperatorName(request.Assignee, "assignee");
            target = directory.Find(targetId) ?? throw new DomainException(ErrorKind.NotFound, ErrorReasons.OperatorNotFound,
                $"Operator {request.Assignee} does not exist.", new Dictionary<string, string> { ["operator"] = request.Assignee });
        }
        var updated = await ExecuteAsync(id, new AssignCommand(caller, target, Etag(request.Etag)), context);
        return new AssignRequestResponse { Request = ContractMapping.ToContract(updated, caller) };
    }

    public override async Task<ReleaseRequestResponse> ReleaseRequest(ReleaseRequestRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var id = ContractMapping.ParseRequestName(request.Name);
        var updated = await ExecuteAsync(id, new ReleaseCommand(caller, Etag(request.Etag)), context);
        return new ReleaseRequestResponse { Request = ContractMapping.ToContract(updated, caller) };
    }

    public override async Task<AddNoteResponse> AddNote(AddNoteRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var id = ContractMapping.ParseRequestName(request.Name);
        var command = new AddNoteCommand(caller, request.Text, request.RequestId.Length > 0 ? request.RequestId : null, Etag(request.Etag));
        var updated = await ExecuteAsync(id, command, context);
        return new AddNoteResponse { Request = ContractMapping.ToContract(updated, caller) };
    }

    public override async Task<UpdateRequestResponse> UpdateRequest(UpdateRequestRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        if (request.Request is null)
        {
            DomainException.ThrowInvalid("request", "is required");
        }
        var id = ContractMapping.ParseRequestName(request.Request.Name, "request.name");
        var patch = ContractMapping.ToPatch(request.Request, request.UpdateMask);
        var updated = await ExecuteAsync(id, new UpdateCommand(caller, patch, Etag(request.Request.Etag)), context);
        return new UpdateRequestResponse { Request = ContractMapping.ToContract(updated, caller) };
    }

    public override async Task<CloseRequestResponse> CloseRequest(CloseRequestRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var id = ContractMapping.ParseRequestName(request.Name);
        var command = new CloseCommand(caller, (Domain.Resolution)request.Resolution, request.Comment, Etag(request.Etag));
        var updated = await ExecuteAsync(id, command, context);
        return new CloseRequestResponse { Request = ContractMapping.ToContract(updated, caller) };
    }

    public override async Task<ReopenRequestResponse> ReopenRequest(ReopenRequestRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var id = ContractMapping.ParseRequestName(request.Name);
        var updated = await ExecuteAsync(id, new ReopenCommand(caller, request.Comment, Etag(request.Etag)), context);
        return new ReopenRequestResponse { Request = ContractMapping.ToContract(updated, caller) };
    }

    public override async Task WatchRequests(WatchRequestsRequest request, IServerStreamWriter<WatchRequestsResponse> responseStream, ServerCallContext context)
    {
        var caller = callers.Authenticate(context);
        if (request.StartRevision < 0)
        {
            DomainException.ThrowInvalid("start_revision", "must be 0 (snapshot) or a revision to resume from");
        }
        var watchOptions = options.Value.Watch;
        using var session = sessions.TryOpen(caller.Account.Id, caller.TokenHash, watchOptions.MaxStreamsPerCaller, watchOptions.MaxStreams, out var limit)
            ?? throw TooManyWatches(limit!, watchOptions);
        // Checked again once registered: a revocation that landed between authentication and
        // registration found no session to end, but its change is in the directory by now.
        if (!directory.Accepts(caller.Account.Id, caller.TokenHash))
        {
            session.End(SessionEnd.TokenRevoked);
        }
        var watch = new WatchSession(store, broadcaster, watchOptions, responseStream,
            new WatchStreamReset(context.GetHttpContext()), logger);
        await watch.RunAsync(request.StartRevision, caller.Account, session, context.CancellationToken, lifetime.ApplicationStopping);
    }

    private RpcException TooManyWatches(string limit, WatchOptions watch)
    {
        ServerLog.Refused(logger, nameof(WatchRequests), ErrorReasons.TooManyWatches + " (" + limit + ")");
        return ErrorTranslation.ToRpcException(ErrorReasons.TooManyWatches, StatusCode.ResourceExhausted, limit == "caller"
                ? $"This account already has {watch.MaxStreamsPerCaller} watch streams open; close one (another console of yours) and try again."
                : "The server has as many watch streams open as it allows; try again shortly.",
            new Dictionary<string, string> { ["limit"] = limit });
    }

    private async Task<Domain.HelpRequest> ExecuteAsync(string id, RequestCommand command, ServerCallContext context)
    {
        var updated = await store.ExecuteAsync(id, command, context.CancellationToken);
        ServerLog.Changed(logger, id, command.Kind.ToString(), command.Caller.Id, updated.Revision);
        return updated;
    }

    private static string? Etag(string etag) => etag.Length > 0 ? etag : null;
}

/// <summary>
/// Page tokens carry the offset and a hash of the query they belong to, so a token reused with a
/// different filter is refused instead of returning a wrong page.
/// </summary>
internal static class PageTokens
{
    public static string Encode(int offset, string filter, string orderBy, string callerId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{offset}:{QueryHash(filter, orderBy, callerId)}")));

    public static int Decode(string token, string filter, string orderBy, string callerId)
    {
        if (token.Length == 0)
        {
            return 0;
        }
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                && parts[1] == QueryHash(filter, orderBy, callerId))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
        }
        DomainException.ThrowInvalid("page_token", "is not a token from a previous page of this same query");
        return 0;
    }

    private static string QueryHash(string filter, string orderBy, string callerId) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{filter}\n{orderBy}\n{callerId}")))[..16];
}
