using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Live;
using Hotline.Server.Mapping;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Grpc;

/// <summary>
/// RequestService: each method takes the caller (the access interceptor has already checked the
/// role), builds a domain command, runs it through the store, and maps the result as the caller
/// may see it (<see cref="ContactVisibility"/>).
/// </summary>
public sealed class RequestGrpcService(
    IRequestStore store,
    RelatedLookupLimiter relatedLookups,
    RefusalLog refusals,
    OperatorDirectory directory,
    ICallerResolver callers,
    SessionRegistry sessions,
    ChangeBroadcaster broadcaster,
    StreamMemoryReturn memoryReturn,
    IOptions<WatchOptions> options,
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
            After = PageTokens.DecodeList(request.PageToken, request.Filter, request.OrderBy, caller.Id),
            Limit = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize),
        };
        var page = await store.ListAsync(query, caller.Id, context.CancellationToken);
        var response = new ListRequestsResponse { Revision = page.Revision, TotalSize = page.TotalSize ?? PageTokens.NotCounted };
        response.Requests.AddRange(page.Requests.Select(r => ContractMapping.ToContract(r, caller)));
        if (page.Next is { } next)
        {
            response.NextPageToken = PageTokens.EncodeList(next, request.Filter, request.OrderBy, caller.Id);
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
        var before = PageTokens.DecodeRelated(request.PageToken, request.Name, caller.Id);
        relatedLookups.Take(caller.Id);
        var limit = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        var page = await store.ListRelatedAsync(id, caller.Id, before, limit, context.CancellationToken);
        var response = new ListRelatedRequestsResponse { TotalSize = page.TotalSize ?? PageTokens.NotCounted };
        response.Requests.AddRange(page.Requests.Select(r => ContractMapping.ToContract(r, caller)));
        if (page.Next is { } next)
        {
            response.NextPageToken = PageTokens.EncodeRelated(next.Number, request.Name, caller.Id);
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
        var updated = await ExecuteAsync(id, new AssignCommand(caller, target, Etag(request.Etag), request.HandOverNote), context);
        return new AssignRequestResponse { Request = ContractMapping.ToContract(updated, caller) };
    }

    public override async Task<ReleaseRequestResponse> ReleaseRequest(ReleaseRequestRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var id = ContractMapping.ParseRequestName(request.Name);
        var updated = await ExecuteAsync(id, new ReleaseCommand(caller, Etag(request.Etag)), context);
        return new ReleaseRequestResponse { Request = ContractMapping.ToContract(updated, caller) };
    }

    public override async Task<SetFollowUpResponse> SetFollowUp(SetFollowUpRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var id = ContractMapping.ParseRequestName(request.Name);
        var dueTime = ContractMapping.ToDomainTime(request.DueTime, "due_time");
        var updated = await ExecuteAsync(id, new SetFollowUpCommand(caller, dueTime, request.Reason, Etag(request.Etag)), context);
        return new SetFollowUpResponse { Request = ContractMapping.ToContract(updated, caller) };
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
        var watchOptions = options.Value;
        using var session = sessions.TryOpen(caller.Account.Id, caller.TokenHash, watchOptions.MaxStreamsPerCaller, watchOptions.MaxStreams, out var limit)
            ?? throw TooManyWatches(limit!, watchOptions, context);
        // Checked again once registered: a revocation that landed between authentication and
        // registration found no session to end, but its change is in the directory by now.
        if (!directory.Accepts(caller.Account.Id, caller.TokenHash))
        {
            session.End(SessionEnd.TokenRevoked);
        }
        var watch = new WatchSession(store, broadcaster, watchOptions, responseStream,
            new WatchStreamReset(context.GetHttpContext()), logger);
        try
        {
            await watch.RunAsync(request.StartRevision, caller.Account, session, context.CancellationToken, lifetime.ApplicationStopping);
        }
        finally
        {
            memoryReturn.StreamEnded();
        }
    }

    private RpcException TooManyWatches(string limit, WatchOptions watch, ServerCallContext context)
    {
        refusals.Refused(context, ErrorReasons.TooManyWatches + " (" + limit + ")");
        return ErrorTranslation.TooManyWatches(limit == "caller"
                ? $"This account already has {watch.MaxStreamsPerCaller} watch streams open; close one (another console of yours) and try again."
                : "The server has as many watch streams open as it allows; try again shortly.", limit);
    }

    private async Task<Domain.HelpRequest> ExecuteAsync(string id, RequestCommand command, ServerCallContext context)
    {
        command.Validate();
        var updated = await store.ExecuteAsync(id, command, context.CancellationToken);
        ServerLog.Changed(logger, id, command.Kind.ToString(), command.Caller.Id, updated.Revision);
        return updated;
    }

    private static string? Etag(string etag) => etag.Length > 0 ? etag : null;
}

/// <summary>
/// Keyset page tokens: the position of the last request of the previous page (<see cref="ListPosition"/>:
/// urgency, create and update time, number; clear fields, never content) and a check binding it to
/// the query it came from, in base64url. Layout: a version byte (1 for ListRequests, 2 for
/// ListRelatedRequests), the position in big-endian (urgency as one byte, then int64 ticks, ticks
/// and number; for related requests the number alone), then the first 12 bytes of
/// SHA-256(payload, kind, filter, order_by or name, caller). A token from another query, another
/// caller (`me` means someone else) or altered on the way is INVALID_ARGUMENT on `page_token`.
/// The check is a plain hash, not a MAC: it catches misuse and damage; a client that forges a
/// position only starts its own list elsewhere, seeing nothing it could not list anyway.
/// </summary>
internal static class PageTokens
{
    /// <summary>`total_size` when the server did not count (see the contract).</summary>
    public const int NotCounted = -1;

    private const byte ListVersion = 1;
    private const byte RelatedVersion = 2;
    private const int ListPayload = 1 + 1 + 8 + 8 + 8;
    private const int RelatedPayload = 1 + 8;
    private const int CheckLength = 12;

    public static string EncodeList(ListPosition position, string filter, string orderBy, string callerId)
    {
        var payload = new byte[ListPayload];
        payload[0] = ListVersion;
        payload[1] = (byte)position.Urgency;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(2), position.CreateTime.UtcTicks);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(10), position.UpdateTime.UtcTicks);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(18), position.Number);
        return Seal(payload, ListContext(filter, orderBy, callerId));
    }

    public static ListPosition? DecodeList(string token, string filter, string orderBy, string callerId)
    {
        if (token.Length == 0)
        {
            return null;
        }
        var payload = Open(token, ListPayload, ListVersion, ListContext(filter, orderBy, callerId));
        var urgency = (Domain.Urgency)payload[1];
        var created = BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(2));
        var updated = BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(10));
        var number = BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(18));
        if (!Enum.IsDefined(urgency) || !IsTicks(created) || !IsTicks(updated) || number < 0)
        {
            Refuse();
        }
        return new ListPosition(urgency, new DateTimeOffset(created, TimeSpan.Zero), new DateTimeOffset(updated, TimeSpan.Zero), number);
    }

    public static string EncodeRelated(long number, string name, string callerId)
    {
        var payload = new byte[RelatedPayload];
        payload[0] = RelatedVersion;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(1), number);
        return Seal(payload, RelatedContext(name, callerId));
    }

    public static long? DecodeRelated(string token, string name, string callerId)
    {
        if (token.Length == 0)
        {
            return null;
        }
        var number = BinaryPrimitives.ReadInt64BigEndian(Open(token, RelatedPayload, RelatedVersion, RelatedContext(name, callerId)).AsSpan(1));
        if (number < 0)
        {
            Refuse();
        }
        return number;
    }

    private static string ListContext(string filter, string orderBy, string callerId) => $"list\n{filter}\n{orderBy}\n{callerId}";

    private static string RelatedContext(string name, string callerId) => $"related\n{name}\n{callerId}";

    private static bool IsTicks(long ticks) => ticks >= 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks;

    private static string Seal(byte[] payload, string context) => Base64Url.EncodeToString([.. payload, .. Check(payload, context)]);

    private static byte[] Open(string token, int payloadLength, byte version, string context)
    {
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return Refuse();
        }
        if (bytes.Length != payloadLength + CheckLength || bytes[0] != version
            || !CryptographicOperations.FixedTimeEquals(bytes.AsSpan(payloadLength), Check(bytes.AsSpan(0, payloadLength), context)))
        {
            return Refuse();
        }
        return bytes[..payloadLength];
    }

    private static byte[] Check(ReadOnlySpan<byte> payload, string context) =>
        SHA256.HashData([.. payload, 0, .. Encoding.UTF8.GetBytes(context)])[..CheckLength];

    [DoesNotReturn]
    private static byte[] Refuse()
    {
        DomainException.ThrowInvalid("page_token", "is not a token from a previous page of this same query");
        return null!;
    }
}
