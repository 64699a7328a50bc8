using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Mapping;

namespace Hotline.Server.Admin;

/// <summary>AdminService, reachable only through the admin socket (see <see cref="Access.AdminSocketGate"/>).</summary>
public sealed class AdminGrpcService(OperatorAdministration operators, IServiceProvider services) : AdminService.AdminServiceBase
{
    public override async Task<AddOperatorResponse> AddOperator(AddOperatorRequest request, ServerCallContext context)
    {
        var issued = await operators.AddAsync(request.Id, request.DisplayName, (Domain.Role)request.Role, context.CancellationToken);
        return new AddOperatorResponse { Account = ToContract(issued.Record), Token = issued.Token };
    }

    public override Task<ListOperatorAccountsResponse> ListOperatorAccounts(ListOperatorAccountsRequest request, ServerCallContext context)
    {
        var response = new ListOperatorAccountsResponse();
        response.Accounts.AddRange(operators.List().Select(ToContract));
        return Task.FromResult(response);
    }

    public override async Task<SetOperatorDisabledResponse> SetOperatorDisabled(SetOperatorDisabledRequest request, ServerCallContext context)
    {
        var id = ContractMapping.ParseOperatorName(request.Name, "name");
        var (record, ended) = await operators.SetDisabledAsync(id, request.Disabled, context.CancellationToken);
        return new SetOperatorDisabledResponse { Account = ToContract(record), EndedSessions = ended };
    }

    public override async Task<RotateOperatorTokenResponse> RotateOperatorToken(RotateOperatorTokenRequest request, ServerCallContext context)
    {
        var id = ContractMapping.ParseOperatorName(request.Name, "name");
        var issued = await operators.RotateAsync(id, context.CancellationToken);
        return new RotateOperatorTokenResponse { Account = ToContract(issued.Record), Token = issued.Token, EndedSessions = issued.EndedSessions };
    }

    public override Task<LockdownResponse> Lockdown(LockdownRequest request, ServerCallContext context)
    {
        var lockdown = services.GetRequiredService<LockdownSwitch>();
        var (ended, already) = lockdown.Lockdown();
        var exiting = lockdown.ExitAfter(context.GetHttpContext().Response);
        return Task.FromResult(new LockdownResponse { EndedSessions = ended, AlreadyLocked = already, ProcessExiting = exiting });
    }

    public override Task<UnlockResponse> Unlock(UnlockRequest request, ServerCallContext context)
    {
        if (request.MasterKey.IsEmpty)
        {
            DomainException.ThrowInvalid("master_key", "is required");
        }
        try
        {
            var unlocked = services.GetRequiredService<LockdownSwitch>().Unlock(request.MasterKey.Span);
            return Task.FromResult(new UnlockResponse { AlreadyUnlocked = !unlocked });
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
            return await services.GetRequiredService<StoreAdministration>().VerifyAuditAsync(request.MasterKey.Memory, context.CancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsMemory(request.MasterKey.Memory).Span);
        }
    }

    public override Task<PurgeRequestsResponse> PurgeRequests(PurgeRequestsRequest request, ServerCallContext context) =>
        services.GetRequiredService<StoreAdministration>().PurgeAsync(request, context.CancellationToken);

    public static Contract.V1.OperatorAccount ToContract(OperatorRecord record) => new()
    {
        Operator = ContractMapping.ToContract(record.Account),
        CreateTime = Timestamp.FromDateTimeOffset(record.CreateTime),
        RotateTime = record.RotateTime is { } rotated ? Timestamp.FromDateTimeOffset(rotated) : null,
        HasToken = record.TokenHash is not null,
    };
}
