using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Mapping;

namespace Hotline.Server.Grpc;

/// <summary>IntakeService: validate, store, return the receipt.</summary>
public sealed class IntakeGrpcService(IRequestStore store, ICallerResolver callers, ILogger<IntakeGrpcService> logger)
    : IntakeService.IntakeServiceBase
{
    public override async Task<SubmitRequestResponse> SubmitRequest(SubmitRequestRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var submission = Validation.CheckSubmission(ContractMapping.ToDomain(request, caller));
        var receipt = await store.SubmitAsync(submission, context.CancellationToken);
        ServerLog.Submitted(logger, receipt.RequestId, receipt.Number, caller.Id, receipt.Duplicate);
        return new SubmitRequestResponse
        {
            Name = ContractMapping.RequestName(receipt.RequestId),
            Number = receipt.Number,
            CreateTime = Timestamp.FromDateTimeOffset(receipt.CreateTime),
            Duplicate = receipt.Duplicate,
        };
    }
}
