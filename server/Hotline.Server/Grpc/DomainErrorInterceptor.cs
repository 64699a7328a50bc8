using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Hotline.Domain;
using Hotline.Server.Mapping;

namespace Hotline.Server.Grpc;

/// <summary>
/// Maps <see cref="DomainException"/> to a documented status, and any other failure to INTERNAL
/// with ErrorInfo, logging only the exception type and method: exception messages from lower
/// layers could echo request content. Refusals go to <see cref="RefusalLog"/>, which caps them.
/// A message in a client's request stream that does not parse is MALFORMED_MESSAGE, like a
/// malformed single request (<see cref="RequestMessageCheck"/>, which cannot look into streams).
/// </summary>
public sealed class DomainErrorInterceptor(RefusalLog refusals, ILogger<DomainErrorInterceptor> logger) : Interceptor
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

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(new CheckedRequestStream<TRequest>(requestStream), context);
        }
        catch (Exception ex) when (Translate(ex, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(new CheckedRequestStream<TRequest>(requestStream), responseStream, context);
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
                refusals.Refused(context, domain.Reason);
                return ErrorTranslation.ToRpcException(domain);
            case RpcException:
                return null;
            // A cancelled call surfaces as either of the first two, as grpc-dotnet judges it; and its
            // stream writer refuses a write once the client has gone with InvalidOperationException,
            // which a handler between two writes can meet before its own token says so (a watch
            // replaying changes, found by the fuzz). Nobody is left to read the status.
            case OperationCanceledException or IOException or InvalidOperationException when context.CancellationToken.IsCancellationRequested:
                return ErrorTranslation.Cancelled("The call was cancelled by the client.");
            default:
                ServerLog.UnexpectedFailure(logger, "Call " + context.Method, "the caller gets INTERNAL.", ex);
                return ErrorTranslation.Internal("INTERNAL", "The server failed to handle the call; nothing was lost that it acknowledged. Retry, and report it if it persists.");
        }
    }

    /// <summary>
    /// grpc-dotnet reads each streamed message when the handler asks for it, so a message that does
    /// not parse or a frame with a bad compressed flag surfaces here, inside the handler, where it
    /// would end the call as UNKNOWN with an error logged with its stack; a frame cut short, or
    /// marked compressed in a call that named no encoding, as INTERNAL, which says the server broke.
    /// A client that resets its stream mid-read makes Kestrel throw an IOException, often before
    /// the call's token says it was cancelled: that is the client leaving, not a server failure.
    /// </summary>
    private sealed class CheckedRequestStream<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                return await inner.MoveNext(cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidDataException)
            {
                throw RequestMessageCheck.Malformed("a message in the request stream does not parse as the method's request type");
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Internal)
            {
                throw RequestMessageCheck.Malformed("a frame in the request stream is cut short or marked compressed without an encoding");
            }
            catch (IOException)
            {
                throw ErrorTranslation.Cancelled("The client reset its request stream.");
            }
        }
    }
}
