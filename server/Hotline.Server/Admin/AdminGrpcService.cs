using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;

namespace Hotline.Server.Admin;

/// <summary>
/// AdminService, reachable only through the admin socket (see <see cref="Access.AdminSocketGate"/>):
/// <see cref="Administration"/> for the work, <see cref="LockdownSwitch"/> for what only a running server does.
/// </summary>
public sealed class AdminGrpcService(Administration administration, LockdownSwitch lockdown) : AdminService.AdminServiceBase
{
    public override Task<AddOperatorResponse> AddOperator(AddOperatorRequest request, ServerCallContext context) =>
        administration.AddOperatorAsync(request, context.CancellationToken);

    public override Task<ListOperatorAccountsResponse> ListOperatorAccounts(ListOperatorAccountsRequest request, ServerCallContext context) =>
        Task.FromResult(administration.ListOperatorAccounts());

    public override Task<SetOperatorDisabledResponse> SetOperatorDisabled(SetOperatorDisabledRequest request, ServerCallContext context) =>
        administration.SetOperatorDisabledAsync(request, context.CancellationToken);

    public override Task<RotateOperatorTokenResponse> RotateOperatorToken(RotateOperatorTokenRequest request, ServerCallContext context) =>
        administration.RotateOperatorTokenAsync(request, context.CancellationToken);

    public override async Task<LockdownResponse> Lockdown(LockdownRequest request, ServerCallContext context)
    {
        var (ended, already) = await lockdown.LockdownAsync(context.CancellationToken);
        var exiting = lockdown.ExitAfter(context.GetHttpContext().Response);
        return new LockdownResponse { EndedSessions = ended, AlreadyLocked = already, ProcessExiting = exiting };
    }

    public override async Task<UnlockResponse> Unlock(UnlockRequest request, ServerCallContext context)
    {
        if (request.MasterKey.IsEmpty)
        {
            DomainException.ThrowInvalid("master_key", "is required");
        }
        try
        {
            var unlocked = await lockdown.UnlockAsync(request.MasterKey.Memory, context.CancellationToken);
            return new UnlockResponse { AlreadyUnlocked = !unlocked };
        }
        finally
        {
            // The parsed message's buffer is this call's alone: erase the key it carried once used.
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsMemory(request.MasterKey.Memory).Span);
        }
    }

    public override async Task<VerifyAuditResponse> VerifyAudit(VerifyAuditRequest request, ServerCallContext context)
    {
        try
        {
            return await administration.VerifyAuditAsync(request.MasterKey.Memory, context.CancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsMemory(request.MasterKey.Memory).Span);
        }
    }

    public override Task<ProduceMonitoringReportResponse> ProduceMonitoringReport(ProduceMonitoringReportRequest request, ServerCallContext context) =>
        administration.ProduceMonitoringReportAsync(request, context.CancellationToken);

    public override Task<PurgeRequestsResponse> PurgeRequests(PurgeRequestsRequest request, ServerCallContext context) =>
        administration.PurgeRequestsAsync(request, context.CancellationToken);
}
