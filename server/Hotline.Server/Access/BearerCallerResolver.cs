using System.Globalization;
using Grpc.Core;
using Hotline.Domain;
using Hotline.Server.Mapping;

namespace Hotline.Server.Access;

/// <summary>
/// Authenticates `authorization: Bearer &lt;token&gt;` against the stored accounts. A failure is
/// counted against the caller's address and logged with the address, the method and what was
/// wrong, never with what was sent. Past the limit, failures from that address are refused as
/// RATE_LIMITED without being logged one by one; a valid, enabled token always goes through, so a
/// broken gateway or a console holding a revoked token cannot lock out the colleagues who share
/// its address (a jump host, a proxy). Tokens carry 256 random bits: the limit guards the logs
/// and the CPU, not against guessing.
/// </summary>
public sealed class BearerCallerResolver(
    OperatorDirectory directory,
    IAuthenticationFailureLimit limiter,
    ILogger<BearerCallerResolver> logger) : ICallerResolver
{
    private const string AuthorizationHeader = "authorization";
    private const string Scheme = "Bearer ";
    private static readonly object CallerKey = new();

    public OperatorAccount Resolve(ServerCallContext context) => Authenticate(context).Account;

    public AuthenticatedCaller Authenticate(ServerCallContext context)
    {
        if (context.UserState.TryGetValue(CallerKey, out var known))
        {
            return (AuthenticatedCaller)known;
        }
        var source = FailedAuthenticationLimiter.SourceOf(context.GetHttpContext().Connection.RemoteIpAddress);
        var header = context.RequestHeaders.GetValue(AuthorizationHeader);
        string problem;
        var reason = ErrorReasons.Unauthenticated;
        if (header is null)
        {
            problem = "no token";
        }
        else if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            problem = "not a bearer token";
        }
        else
        {
            var token = header[Scheme.Length..].Trim();
            if (!AccessTokens.IsWellFormed(token))
            {
                problem = "malformed token";
            }
            else
            {
                var hash = AccessTokens.Hash(token);
                var record = directory.FindByToken(hash);
                if (record is null)
                {
                    problem = "unknown or revoked token";
                }
                else if (record.Account.Disabled)
                {
                    problem = "disabled account " + record.Id;
                    reason = ErrorReasons.OperatorDisabled;
                }
                else
                {
                    var caller = new AuthenticatedCaller(record.Account, hash, source);
                    context.UserState[CallerKey] = caller;
                    return caller;
                }
            }
        }
        var verdict = limiter.CountFailure(source);
        if (verdict.RefuseFor is { } wait)
        {
            throw RateLimited(wait);
        }
        ServerLog.AuthenticationFailed(logger, source, context.Method, problem);
        if (verdict.ReachedLimit)
        {
            ServerLog.SourceRateLimited(logger, source);
        }
        throw new DomainException(ErrorKind.Unauthenticated, reason, reason == ErrorReasons.OperatorDisabled
            ? "This account is disabled; ask an administrator."
            : "Send a valid token as `authorization: Bearer <token>`; an administrator issues tokens with `hotline-server operators add`.");
    }

    private static RpcException RateLimited(TimeSpan wait)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
        return ErrorTranslation.RateLimited($"Too many failed sign-ins from this address; try again in {seconds.ToString(CultureInfo.InvariantCulture)} s.",
            TimeSpan.FromSeconds(seconds), limit: null, pushback: false);
    }
}
