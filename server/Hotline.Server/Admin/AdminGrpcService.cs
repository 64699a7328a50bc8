using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Backup;

namespace Hotline.Server.Admin;

/// <summary>
/// AdminService, reachable only through the admin socket (see <see cref="Access.AdminSocketGate"/>):
/// <see cref="Administration"/> for the work, <see cref="LockdownSwitch"/> for what only a running server does.
/// </summary>
public sealed class AdminGrpcService(Administration administration, LockdownSwitch lockdown, BackupAdministration backups, ILogger<AdminGrpcService> logger)
    : AdminService.AdminServiceBase
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

    public override async Task CreateBackup(CreateBackupRequest request, IServerStreamWriter<CreateBackupResponse> responseStream, ServerCallContext context)
    {
        // One writer for the stream: the pieces are written in order, each awaited before the next.
        var summary = await backups.CreateBackupAsync(
            (piece, cancellationToken) => responseStream.WriteAsync(new CreateBackupResponse { Data = ByteString.CopyFrom(piece.Span) }, cancellationToken),
            context.CancellationToken);
        ServerLog.BackupTaken(logger, summary.Revision, summary.AuditSequence, summary.DatabaseBytes, summary.EpochName, summary.KeyCreated);
        await responseStream.WriteAsync(new CreateBackupResponse { Summary = summary }, context.CancellationToken);
    }

    public override async Task ExportPurgeLog(ExportPurgeLogRequest request, IServerStreamWriter<ExportPurgeLogResponse> responseStream, ServerCallContext context)
    {
        await foreach (var page in backups.ExportPurgeLogAsync(context.CancellationToken))
        {
            var response = new ExportPurgeLogResponse();
            response.Names.AddRange(page);
            await responseStream.WriteAsync(response, context.CancellationToken);
        }
    }
}
