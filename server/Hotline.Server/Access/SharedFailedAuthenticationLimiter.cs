using Hotline.Domain;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Access;

/// <summary>
/// Failed authentications counted per source across every server on one database, in the same fixed
/// windows as <see cref="FailedAuthenticationLimiter"/>, so a guesser spreading over N servers gets
/// the one limit, not N. Each failure is one round trip to the database (the store keeps the source
/// only as a keyed hash); once a source is over the limit this server refuses it from memory until
/// its window ends, so a flood from a limited source costs the database nothing.
/// <para>
/// Fails closed: when the database does not answer, a failed authentication is refused as rate
/// limited for <see cref="UnavailableRefusal"/> instead of being counted nowhere. A valid token is
/// never asked about, so operators keep working.
/// </para>
/// Safe from any thread.
/// </summary>
public sealed class SharedFailedAuthenticationLimiter(
    ISharedRateLimits shared,
    IOptions<AuthenticationOptions> options,
    TimeProvider time,
    ILogger<SharedFailedAuthenticationLimiter> logger) : IAuthenticationFailureLimit
{
    public const string Scope = "auth-failure";

    /// <summary>How long a failed authentication is refused for while the shared count cannot be reached.</summary>
    public static readonly TimeSpan UnavailableRefusal = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan UnavailableReportPeriod = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _limitedUntil = new(StringComparer.Ordinal);
    private DateTimeOffset? _lastUnavailableReport;

    public AuthenticationFailureVerdict CountFailure(string source)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_limitedUntil.TryGetValue(source, out var until))
            {
                if (now < until)
                {
                    return new AuthenticationFailureVerdict(until - now, ReachedLimit: false);
                }
                _limitedUntil.Remove(source);
            }
        }
        var limits = options.Value;
        SharedFailureCount count;
        try
        {
            count = shared.CountFailure(Scope, source, limits.FailureWindow);
        }
        catch (SharedLimitUnavailableException ex)
        {
            ReportUnavailable(ex, now);
            return new AuthenticationFailureVerdict(UnavailableRefusal, ReachedLimit: false);
        }
        if (count.Failures < limits.MaxFailures)
        {
            return new AuthenticationFailureVerdict(null, ReachedLimit: false);
        }
        Remember(source, now + count.WindowLeft, now);
        return count.Failures == limits.MaxFailures
            ? new AuthenticationFailureVerdict(null, ReachedLimit: true)
            : new AuthenticationFailureVerdict(count.WindowLeft, ReachedLimit: false);
    }

    private void Remember(string source, DateTimeOffset until, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_limitedUntil.Count >= FailedAuthenticationLimiter.MaxTrackedSources)
            {
                foreach (var (known, end) in _limitedUntil)
                {
                    if (now >= end)
                    {
                        _limitedUntil.Remove(known);
                    }
                }
                if (_limitedUntil.Count >= FailedAuthenticationLimiter.MaxTrackedSources)
                {
                    // Still full: this source is asked about in the database on each failure instead.
                    return;
                }
            }
            _limitedUntil[source] = until;
        }
    }

    private void ReportUnavailable(SharedLimitUnavailableException ex, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_lastUnavailableReport is { } last && now - last < UnavailableReportPeriod)
            {
                return;
            }
            _lastUnavailableReport = now;
        }
        ServerLog.SharedLimitsUnavailable(logger, FailureDescription.TypeOf(ex.InnerException ?? ex), (int)UnavailableReportPeriod.TotalSeconds);
    }
}
