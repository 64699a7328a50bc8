using Grpc.Core;
using Hotline.Domain;

namespace Hotline.Server.Access;

/// <summary>
/// The one place that answers "who is calling". The access interceptor asks it before any
/// service method runs; services ask it again for the caller, which is then cached on the call.
/// </summary>
public interface ICallerResolver
{
    /// <summary>The caller, or UNAUTHENTICATED (RESOURCE_EXHAUSTED when its address is rate limited).</summary>
    OperatorAccount Resolve(ServerCallContext context);

    /// <summary>The caller and the hash of the token it presented, for calls that must track or revoke that token.</summary>
    AuthenticatedCaller Authenticate(ServerCallContext context);
}

/// <summary>An authenticated caller.</summary>
/// <param name="TokenHash">SHA-256 of the token the call carried; never the token.</param>
/// <param name="Source">The address the call came from, as rate limiting groups it.</param>
public sealed record AuthenticatedCaller(OperatorAccount Account, byte[] TokenHash, string Source);
