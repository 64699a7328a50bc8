using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Mapping;

namespace Hotline.Server.Grpc;

/// <summary>OperatorService: who is calling, who can be assigned work, and the panic key.</summary>
public sealed class OperatorGrpcService(OperatorDirectory directory, SessionRegistry sessions, ICallerResolver callers, ILogger<OperatorGrpcService> logger)
    : OperatorService.OperatorServiceBase
{
    public override Task<WhoAmIResponse> WhoAmI(WhoAmIRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        return Task.FromResult(new WhoAmIResponse { Operator = ContractMapping.ToContract(caller) });
    }

    public override Task<ListOperatorsResponse> ListOperators(ListOperatorsRequest request, ServerCallContext context)
    {
        var connected = sessions.OperatorsConnected();
        var response = new ListOperatorsResponse();
        response.Operators.AddRange(directory.Records
            .Where(r => r.TakesWork || (request.ShowDisabled && r.Account.Role >= Role.Operator))
            .Select(r => ContractMapping.ToContract(r.Account, connected.Contains(r.Id))));
        return Task.FromResult(response);
    }

    public override async Task<EndMySessionResponse> EndMySession(EndMySessionRequest request, ServerCallContext context)
    {
        var caller = callers.Authenticate(context);
        // Not cancellable by the caller: a panic that half-happened because the link dropped would be worse than none.
        var (_, ended) = await directory.ExecuteAsync(
            new ReplaceTokenCommand(caller.Account.Id, NewTokenHash: null, OnlyIfCurrent: caller.TokenHash) { Actor = caller.Account.Id },
            CancellationToken.None);
        ServerLog.SessionEndedByOperator(logger, caller.Account.Id, caller.Source, ended);
        return new EndMySessionResponse { EndedSessions = ended };
    }
}
