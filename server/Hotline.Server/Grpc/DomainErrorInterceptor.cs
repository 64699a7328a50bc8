using Grpc.Core;
using Grpc.Core.Interceptors;
using Hotline.Domain;

namespace Hotline.Server.Grpc;

/// <summary>
/// Maps <see cref="DomainException"/> to a documented status, and any other failure to INTERNAL
/// with ErrorInfo, logging only the exception type and method: exception messages from lower
/// layers could echo request content.
/// </summary>
public sealed class DomainErrorInterceptor(ILogger<DomainErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (Translate(ex, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (Translate(ex, context) is { } translated)
        {
            throw translated;
        }
    }

    private RpcException? Translate(Exception ex, ServerCallContext context)
    {
        switch (ex)
        {
            case DomainException domain:
                ServerLog.Refused(logger, context.Method, domain.Reason);
                return ErrorTranslation.ToRpcException(domain);
            case RpcException:
                return null;
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return ErrorTranslation.ToRpcException("CANCELLED", StatusCode.Cancelled, "The call was cancelled by the client.");
            default:
                ServerLog.UnexpectedFailure(logger, context.Method, ex.GetType().FullName ?? "unknown");
                return ErrorTranslation.Internal("INTERNAL", "The server failed to handle the call; nothing was lost that it acknowledged. Retry, and report it if it persists.");
        }
    }
}
