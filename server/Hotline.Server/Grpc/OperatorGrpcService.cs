using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;

namespace Hotline.Server.Grpc;

/// <summary>OperatorService: who is calling, and who can be assigned work.</summary>
public sealed class OperatorGrpcService(IOperatorDirectory directory, ICallerResolver callers) : OperatorService.OperatorServiceBase
{
    public override Task<WhoAmIResponse> WhoAmI(WhoAmIRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        return Task.FromResult(new WhoAmIResponse { Operator = ContractMapping.ToContract(caller) });
    }

    public override Task<ListOperatorsResponse> ListOperators(ListOperatorsRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        if (!caller.Can(Role.Operator))
        {
            DomainException.ThrowPermissionDenied(Role.Operator, "Only operators may list operators.");
        }
        var response = new ListOperatorsResponse();
        response.Operators.AddRange(directory.All()
            .Where(o => o.Role >= Role.Operator && (request.ShowDisabled || !o.Disabled))
            .Select(ContractMapping.ToContract));
        return Task.FromResult(response);
    }
}
