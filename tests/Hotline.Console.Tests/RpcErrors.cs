using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Hotline.Console.Tests;

/// <summary>Refusals shaped exactly as the server sends them: a status with ErrorInfo and, for bad input, BadRequest.</summary>
internal static class RpcErrors
{
    public static RpcException Refusal(StatusCode code, string reason, params (string Key, string Value)[] metadata)
    {
        var info = new ErrorInfo { Reason = reason, Domain = "hotline" };
        foreach (var (key, value) in metadata)
        {
            info.Metadata[key] = value;
        }
        return new Google.Rpc.Status { Code = (int)code, Message = "refused", Details = { Any.Pack(info) } }.ToRpcException();
    }

    public static RpcException InvalidFields(params (string Field, string Description)[] violations)
    {
        var badRequest = new BadRequest();
        foreach (var (field, description) in violations)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
        }
        return new Google.Rpc.Status
        {
            Code = (int)StatusCode.InvalidArgument,
            Message = "invalid",
            Details = { Any.Pack(new ErrorInfo { Reason = "INVALID_FIELDS", Domain = "hotline" }), Any.Pack(badRequest) },
        }.ToRpcException();
    }

    public static RpcException AlreadyAssigned(string holder) =>
        Refusal(StatusCode.FailedPrecondition, "ALREADY_ASSIGNED", ("assignee", holder));

    public static RpcException EtagMismatch() => Refusal(StatusCode.Aborted, "ETAG_MISMATCH", ("current_etag", "e99"));

    public static RpcException Unavailable() => new(new Grpc.Core.Status(StatusCode.Unavailable, "connection refused"));
}
