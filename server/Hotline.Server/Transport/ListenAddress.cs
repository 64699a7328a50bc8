using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Hotline.Server.Transport;

/// <summary>
/// One `--listen` / `Urls` entry: `http[s]://HOST:PORT` where HOST is an IP address,
/// `localhost`, or `*` / `+` for every interface; or `http://unix:/PATH`, a Unix domain socket.
/// Host names other than localhost are refused: Kestrel would silently bind every interface for them.
/// </summary>
internal sealed record ListenAddress(string Text, bool Tls, IPAddress? Ip, bool IsLocalhost, int Port, string? UnixSocketPath = null)
{
    /// <summary>True when traffic to this address never leaves the machine.</summary>
    public bool IsLoopback => IsLocalhost || IsUnixSocket || (Ip is not null && IPAddress.IsLoopback(Ip));

    /// <summary>A Unix domain socket: reachable only by local processes its file permissions let in.</summary>
    public bool IsUnixSocket => UnixSocketPath is not null;

    /// <summary>Parses a `;`-separated list, as in `Urls` and ASPNETCORE_URLS.</summary>
    /// <exception cref="FormatException">An entry is not a listen address Hotline can bind.</exception>
    public static IReadOnlyList<ListenAddress> ParseList(string? text)
    {
        var entries = (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0)
        {
            throw new FormatException("No listen address is configured: pass --listen https://HOST:PORT (or set Urls).");
        }
        return [.. entries.Select(Parse)];
    }

    /// <exception cref="FormatException">The entry is not a listen address Hotline can bind.</exception>
    public static ListenAddress Parse(string text)
    {
        bool tls;
        string rest;
        if (text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            tls = true;
            rest = text["https://".Length..];
        }
        else if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            tls = false;
            rest = text["http://".Length..];
        }
        else
        {
            throw Invalid(text, "it must start with https:// (or http:// on loopback)");
        }
        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            var path = rest["unix:".Length..];
            return Path.IsPathFullyQualified(path)
                ? new ListenAddress(text, tls, null, false, 0, path)
                : throw Invalid(text, "a Unix socket needs an absolute path, as in http://unix:/run/hotline/admin.sock");
        }
        rest = rest.TrimEnd('/');
        if (rest.Contains('/', StringComparison.Ordinal))
        {
            throw Invalid(text, "a listen address has no path");
        }

        string host;
        string? port;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Invalid(text, "an IPv6 address needs a closing ]");
            }
            host = rest[1..close];
            var after = rest[(close + 1)..];
            if (after.Length > 0 && !after.StartsWith(':'))
            {
                throw Invalid(text, "expected :PORT after the IPv6 address");
            }
            port = after.Length > 0 ? after[1..] : null;
        }
        else
        {
            var colon = rest.LastIndexOf(':');
            if (colon >= 0 && rest.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                throw Invalid(text, "write an IPv6 address in brackets, as in [::1]:5171");
            }
            host = colon >= 0 ? rest[..colon] : rest;
            port = colon >= 0 ? rest[(colon + 1)..] : null;
        }

        var portNumber = tls ? 443 : 80;
        if (port is not null && !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber)
            || portNumber > IPEndPoint.MaxPort)
        {
            throw Invalid(text, "the port must be a number from 0 to 65535");
        }

        if (host is "*" or "+")
        {
            return new ListenAddress(text, tls, null, false, portNumber);
        }
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return portNumber == 0
                ? throw Invalid(text, "port 0 (any free port) needs an IP address such as 127.0.0.1, not localhost")
                : new ListenAddress(text, tls, null, true, portNumber);
        }
        // IPAddress.TryParse also takes shorthands such as "1" for 0.0.0.1; only dotted quads and IPv6 are addresses here.
        if (IPAddress.TryParse(host, out var ip) && (ip.AddressFamily == AddressFamily.InterNetworkV6 || host.Count(c => c == '.') == 3))
        {
            return new ListenAddress(text, tls, ip, false, portNumber);
        }
        throw Invalid(text, "the host must be an IP address, localhost or * (a host name cannot be bound)");
    }

    public override string ToString() => Text;

    private static FormatException Invalid(string text, string why) =>
        new($"Listen address '{text}' is not usable: {why}.");
}
