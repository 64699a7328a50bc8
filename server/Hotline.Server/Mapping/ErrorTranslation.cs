using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Hotline.Domain;

namespace Hotline.Server.Mapping;

/// <summary>Turns domain refusals into gRPC statuses carrying google.rpc.ErrorInfo (and BadRequest for bad fields).</summary>
public static class ErrorTranslation
{
    public const string ErrorDomain = "hotline";

    public static RpcException ToRpcException(DomainException error) => ToStatus(error).ToRpcException();

    /// <summary>
    /// The google.rpc.Status for <paramref name="error"/>, for code that answers a call before
    /// grpc-dotnet handles it and so writes the status itself (the request-message check, for one).
    /// </summary>
    public static Google.Rpc.Status ToStatus(DomainException error)
    {
        var info = new ErrorInfo { Reason = error.Reason, Domain = ErrorDomain };
        foreach (var (key, value) in error.Metadata)
        {
            info.Metadata[key] = value;
        }
        var status = new Google.Rpc.Status
        {
            Code = (int)ToStatusCode(error.Kind),
            Message = error.Message,
            Details = { Any.Pack(info) },
        };
        if (error.Violations.Count > 0)
        {
            var badRequest = new BadRequest();
            badRequest.FieldViolations.AddRange(error.Violations.Select(v =>
                new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }));
            status.Details.Add(Any.Pack(badRequest));
        }
        return status;
    }

    /// <summary>A status for a failure the caller cannot fix; the message never carries request content.</summary>
    public static RpcException Internal(string reason, string message) =>
        ToRpcException(reason, StatusCode.Internal, message);

    public static RpcException ToRpcException(string reason, StatusCode code, string message,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        ToStatus(reason, code, message, metadata).ToRpcException();

    /// <summary>CANCELLED: the client went away; nobody is left to read more than the code.</summary>
    public static RpcException Cancelled(string message) =>
        ToRpcException("CANCELLED", StatusCode.Cancelled, message);

    /// <summary>RESOURCE_EXHAUSTED `TOO_MANY_WATCHES`, with <c>limit</c> naming which limit (caller, server, health).</summary>
    public static RpcException TooManyWatches(string message, string limit) =>
        ToRpcException(ErrorReasons.TooManyWatches, StatusCode.ResourceExhausted, message, new Dictionary<string, string> { ["limit"] = limit });

    /// <summary>
    /// The end of a watch stream the client can resume from: <c>resume_revision</c> is the first
    /// revision it has not been sent, the one to pass as start_revision.
    /// </summary>
    public static RpcException WatchEnded(string reason, StatusCode code, string message, long resumeRevision) =>
        ToRpcException(reason, code, message,
            new Dictionary<string, string> { ["resume_revision"] = resumeRevision.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>
    /// RESOURCE_EXHAUSTED `RATE_LIMITED`, the one way every limit refuses: ErrorInfo (with
    /// <c>limit</c> naming which, when given), RetryInfo with <paramref name="retryDelay"/>, and,
    /// when <paramref name="pushback"/>, the <c>grpc-retry-pushback-ms</c> trailer that gRPC retry
    /// policies honour.
    /// </summary>
    public static RpcException RateLimited(string message, TimeSpan retryDelay, string? limit, bool pushback)
    {
        var info = new ErrorInfo { Reason = ErrorReasons.RateLimited, Domain = ErrorDomain };
        if (limit is not null)
        {
            info.Metadata["limit"] = limit;
        }
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.ResourceExhausted,
            Message = message,
            Details = { Any.Pack(info), Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryDelay) }) },
        };
        var exception = status.ToRpcException();
        if (pushback)
        {
            exception.Trailers.Add("grpc-retry-pushback-ms", ((long)retryDelay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return exception;
    }

    public static Google.Rpc.Status ToStatus(string reason, StatusCode code, string message,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var info = new ErrorInfo { Reason = reason, Domain = ErrorDomain };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            info.Metadata[key] = value;
        }
        return new Google.Rpc.Status { Code = (int)code, Message = message, Details = { Any.Pack(info) } };
    }

    public static StatusCode ToStatusCode(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        ErrorKind.NotFound => StatusCode.NotFound,
        ErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        ErrorKind.Aborted => StatusCode.Aborted,
        ErrorKind.PermissionDenied => StatusCode.PermissionDenied,
        ErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        ErrorKind.Unavailable => StatusCode.Unavailable,
        ErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        _ => StatusCode.Internal,
    };
}
