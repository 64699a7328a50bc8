using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Hotline.Contract.Client;

/// <summary>
/// Opens a gRPC channel to a Hotline server the way every client should: HTTP/2 keepalive for
/// long-lived watch streams, TLS checked against the system's CAs or against pinned
/// certificates, and plaintext only to this machine.
/// </summary>
public static class HotlineChannel
{
    /// <summary>
    /// A channel to <paramref name="address"/>. With <paramref name="pins"/>, the server must
    /// present one of the pinned certificates; its CA chain, expiry and host name are then not
    /// consulted, because the pin already names the one certificate to accept. Without pins the
    /// certificate is validated the usual way. Several pins let clients accept the old and the
    /// new certificate while a server's certificate is rotated.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The address is plaintext (http://) but not loopback, or pins are given for a plaintext address.
    /// </exception>
    public static GrpcChannel Create(Uri address, IReadOnlyCollection<PinnedCertificate>? pins = null,
        Action<GrpcChannelOptions>? configure = null)
    {
        var options = new GrpcChannelOptions { HttpHandler = CreateHandler(address, pins), DisposeHttpClient = true };
        configure?.Invoke(options);
        return GrpcChannel.ForAddress(address, options);
    }

    /// <summary>The handler <see cref="Create"/> uses, for callers that build their own channel or HttpClient.</summary>
    public static SocketsHttpHandler CreateHandler(Uri address, IReadOnlyCollection<PinnedCertificate>? pins = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        pins ??= [];
        var tls = string.Equals(address.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase);
        if (!tls)
        {
            if (pins.Count > 0)
            {
                throw new ArgumentException($"A certificate pin needs an https:// address; {address} is plaintext.", nameof(pins));
            }
            if (!IsLoopback(address))
            {
                throw new ArgumentException(
                    $"Refusing plaintext to {address}: operator tokens and requests would cross the network readable by anyone on the path. Use https://.",
                    nameof(address));
            }
        }
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        };
        if (pins.Count > 0)
        {
            var pinned = pins.ToArray();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => AcceptsServerCertificate(certificate, pinned);
        }
        return handler;
    }

    /// <summary>True when <paramref name="certificate"/> is one of <paramref name="pins"/>.</summary>
    public static bool AcceptsServerCertificate(X509Certificate? certificate, IEnumerable<PinnedCertificate> pins) =>
        certificate is not null && pins.Any(pin => pin.Matches(certificate));

    /// <summary>127.0.0.0/8, ::1 or localhost: traffic that never leaves this machine.</summary>
    public static bool IsLoopback(Uri address) =>
        address.IsLoopback || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
