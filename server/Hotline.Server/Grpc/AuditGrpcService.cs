using System.Globalization;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Mapping;

namespace Hotline.Server.Grpc;

/// <summary>
/// AuditService: supervisors and admins read the audit trail and check its chain. Who may call it
/// is the access policy's to decide (<c>AccessPolicy</c>, checked before any method runs), not this adapter's.
/// </summary>
public sealed class AuditGrpcService(IAuditTrail audit) : AuditService.AuditServiceBase
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1_000;

    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0)
        {
            DomainException.ThrowInvalid("page_size", "must not be negative");
        }
        var requestId = request.Request.Length == 0 ? null : ContractMapping.ParseRequestName(request.Request, "request");
        var after = DecodeToken(request.PageToken);
        var limit = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        var page = await audit.ListAuditAsync(requestId, after, limit, context.CancellationToken);
        var response = new ListAuditEventsResponse();
        response.Events.AddRange(page.Records.Select(ContractMapping.ToContract));
        if (page.NextAfterSequence is { } next)
        {
            response.NextPageToken = next.ToString(CultureInfo.InvariantCulture);
        }
        return response;
    }

    public override async Task<VerifyAuditChainResponse> VerifyAuditChain(VerifyAuditChainRequest request, ServerCallContext context)
    {
        return ContractMapping.ToContract(await audit.VerifyAuditAsync(context.CancellationToken));
    }

    /// <summary>The token is the sequence number of the last event returned: events are immutable, so it stays valid forever.</summary>
    private static long DecodeToken(string token)
    {
        if (token.Length == 0)
        {
            return 0;
        }
        if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
        {
            DomainException.ThrowInvalid("page_token", "is not a token from a previous page");
        }
        return after;
    }
}
