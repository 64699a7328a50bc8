using Grpc.Core;
using Grpc.Core.Interceptors;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Flood;
using Hotline.Server.Mapping;
using Hotline.Server.Transport;

namespace Hotline.Server.Grpc;

/// <summary>
/// Admits IntakeService calls through the <see cref="IIntakeLimiter"/> (this server's
/// <see cref="IntakeRateLimiter"/>, or the buckets several servers share), keyed on the authenticated
/// caller. Registered on IntakeService alone, so operator RPCs never meet these limits. A refusal
/// happens before the request is validated or stored: RESOURCE_EXHAUSTED with ErrorInfo
/// RATE_LIMITED and google.rpc.RetryInfo, plus the grpc-retry-pushback-ms trailer that gRPC
/// clients with a retry policy obey on their own.
/// </summary>
public sealed class IntakeRateLimitInterceptor(ICallerResolver callers, IIntakeLimiter limiter, ILogger<IntakeRateLimitInterceptor> logger)
    : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var caller = callers.Resolve(context);
        var admission = await limiter.AdmitAsync(caller.Id, context.CancellationToken);
        if (!admission.Admitted)
        {
            Report(admission, caller.Id);
            throw RateLimited(admission);
        }
        return await continuation(request, context);
    }

    /// <summary>
    /// Added to the delay the bucket computes: timers fire up to a tick early, so a client that
    /// waits exactly the advertised delay must still find a token when its retry arrives.
    /// </summary>
    public static readonly TimeSpan RetryMargin = TimeSpan.FromMilliseconds(5);

    public static RpcException RateLimited(IntakeAdmission admission)
    {
        var scope = admission.RefusedBy == IntakeLimit.Caller ? "caller" : "global";
        var delay = TimeSpan.FromMilliseconds(Math.Ceiling(admission.RetryAfter.TotalMilliseconds)) + RetryMargin;
        return ErrorTranslation.RateLimited(admission.RefusedBy == IntakeLimit.Caller
                ? "Too many submissions from this caller; nothing was stored. Retry after the RetryInfo delay with the same request_id."
                : "The hotline is receiving too many submissions; nothing was stored. Retry after the RetryInfo delay with the same request_id.",
            delay, scope, pushback: true);
    }

    private void Report(IntakeAdmission admission, string callerId)
    {
        if (admission.RefusalsToReport == 0)
        {
            return;
        }
        var seconds = (int)admission.ReportPeriod.TotalSeconds;
        if (admission.RefusedBy == IntakeLimit.Caller)
        {
            TransportLog.IntakeCallerLimited(logger, admission.RefusalsToReport, callerId, seconds);
        }
        else
        {
            TransportLog.IntakeGlobalLimited(logger, admission.RefusalsToReport, callerId, seconds);
        }
    }
}
