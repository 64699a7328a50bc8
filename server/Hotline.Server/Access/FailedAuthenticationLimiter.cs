using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Access;

/// <summary>Counts failed authentications per source; this server's count, or one shared by several servers.</summary>
public interface IAuthenticationFailureLimit
{
    /// <summary>
    /// Counts a failed authentication from <paramref name="source"/> unless the source is already
    /// over the limit, in which case the call is to be refused as rate limited for
    /// <see cref="AuthenticationFailureVerdict.RefuseFor"/>.
    /// </summary>
    AuthenticationFailureVerdict CountFailure(string source);
}

/// <param name="RefuseFor">Non-null: the source is over the limit; refuse the call as rate limited and retry after this long.</param>
/// <param name="ReachedLimit">This failure was the one that reached the limit (worth one log line).</param>
public readonly record struct AuthenticationFailureVerdict(TimeSpan? RefuseFor, bool ReachedLimit);

/// <summary>
/// Counts failed authentications per source address in fixed windows. Once a source reaches
/// the limit, every call from it is refused until its window ends, with a valid token too: a
/// guesser must not be able to tell a hit from a miss by whether the refusal stops.
/// Tokens are 256-bit random, so this is not what keeps them from being guessed; it keeps a
/// flood of bad tokens from filling the logs and costing every other caller time.
/// IPv6 sources are grouped by /64, the block one subscriber usually holds. Safe from any thread.
/// </summary>
public sealed class FailedAuthenticationLimiter(TimeProvider time, IOptions<AuthenticationOptions> options) : IAuthenticationFailureLimit
{
    /// <summary>Sources tracked at once. Past it, expired windows are dropped; a source that still finds no room is not limited.</summary>
    public const int MaxTrackedSources = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);

    private AuthenticationOptions Limits => options.Value;

    public AuthenticationFailureVerdict CountFailure(string source) =>
        RetryAfter(source) is { } wait ? new AuthenticationFailureVerdict(wait, ReachedLimit: false) : new AuthenticationFailureVerdict(null, RecordFailure(source));

    /// <summary>How long <paramref name="source"/> must wait; null when it may try now.</summary>
    public TimeSpan? RetryAfter(string source)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_windows.TryGetValue(source, out var window) && window.Failures >= Limits.MaxFailures && now < window.End)
            {
                return window.End - now;
            }
            return null;
        }
    }

    /// <summary>Counts a failure; true when it is the one that reached the limit (worth one log line).</summary>
    public bool RecordFailure(string source)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_windows.TryGetValue(source, out var window) || now >= window.End)
            {
                if (!_windows.ContainsKey(source) && _windows.Count >= MaxTrackedSources)
                {
                    DropExpired(now);
                    if (_windows.Count >= MaxTrackedSources)
                    {
                        return false;
                    }
                }
                window = new Window(now + Limits.FailureWindow, 0);
            }
            window = window with { Failures = window.Failures + 1 };
            _windows[source] = window;
            return window.Failures == Limits.MaxFailures;
        }
    }

    /// <summary>The address a limit applies to: the IPv4 address, an IPv6 /64, or `local` for the admin socket.</summary>
    public static string SourceOf(IPAddress? address)
    {
        if (address is null)
        {
            return "local";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes).ToString() + "/64";
    }

    private void DropExpired(DateTimeOffset now)
    {
        foreach (var (source, window) in _windows)
        {
            if (now >= window.End)
            {
                _windows.Remove(source);
            }
        }
    }

    private sealed record Window(DateTimeOffset End, int Failures);
}
