using Grpc.Core;
using Grpc.Core.Interceptors;
using Hotline.Domain;
using Hotline.Server.Mapping;

namespace Hotline.Server.Access;

/// <summary>
/// Applies <see cref="AccessPolicy"/> before any service method runs. An interceptor rather than
/// ASP.NET Core's [Authorize]: refusals must be gRPC statuses with ErrorInfo and RetryInfo, which
/// the authorization middleware's plain HTTP 401/403 cannot carry, and the table is one readable
/// place instead of attributes spread over the services.
/// </summary>
public sealed class AccessInterceptor(ICallerResolver callers) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        switch (AccessPolicy.For(context.Method))
        {
            case MethodAccess.Public:
                return;
            case MethodAccess.AdminSocket when AdminSocketGate.IsAdminSocket(context.GetHttpContext()):
                return;
            case MethodAccess.Roles roles:
                var caller = callers.Resolve(context);
                if (!roles.Allowed.Contains(caller.Role))
                {
                    DomainException.ThrowPermissionDenied(roles.Lowest,
                        $"The {caller.Role.ToString().ToLowerInvariant()} role may not call {context.Method}.");
                }
                return;
            default:
                DomainException.ThrowPermissionDenied(Role.Admin, $"{context.Method} is not open to callers.");
                return;
        }
    }
}
