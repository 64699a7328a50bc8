using Grpc.Core;
using Grpc.Core.Interceptors;
using Hotline.Domain;
using Hotline.Server.Mapping;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Live;

/// <summary>
/// The standard health service's Watch needs no token (monitors and load balancers call it), so
/// nothing but a total bounds it: without one, anyone who can reach the port could open streams
/// until memory runs out. Beyond <see cref="WatchOptions.MaxHealthWatches"/> open at once, a new one
/// is refused with RESOURCE_EXHAUSTED TOO_MANY_WATCHES (limit "health"); Check is never limited.
/// One instance for the server (registered as a singleton), so the count is shared by every call.
/// </summary>
public sealed class HealthWatchLimit(IOptions<WatchOptions> options, RefusalLog refusals) : Interceptor
{
    private const string WatchMethod = "/grpc.health.v1.Health/Watch";

    private int _open;

    /// <summary>Health Watch streams open now; for tests.</summary>
    public int Open => Volatile.Read(ref _open);

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (!string.Equals(context.Method, WatchMethod, StringComparison.Ordinal))
        {
            await continuation(request, responseStream, context);
            return;
        }
        var max = options.Value.MaxHealthWatches;
        if (Interlocked.Increment(ref _open) > max)
        {
            Interlocked.Decrement(ref _open);
            refusals.Refused(WatchMethod, ErrorReasons.TooManyWatches + " (health)");
            throw ErrorTranslation.TooManyWatches(
                $"The server has {max} health watches open, as many as it allows; use Health.Check, or try again shortly.", "health");
        }
        try
        {
            await continuation(request, responseStream, context);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }
}
