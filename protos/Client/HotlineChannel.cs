using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;

namespace Hotline.Contract.Client;

/// <summary>
/// Opens a gRPC channel to a Hotline server the way every client should: HTTP/2 keepalive for
/// long-lived watch streams, TLS checked against the system's CAs or against pinned
/// certificates, plaintext only to this machine, and with several addresses, failover from one
/// server to the next.
/// </summary>
public static class HotlineChannel
{
    /// <summary>The target a channel over several addresses is opened on; the addresses themselves come from its resolver.</summary>
    private static readonly Uri FailoverTarget = new("static:///hotline");

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

    /// <summary>
    /// One channel over several servers of the same installation, tried in the order given. The
    /// channel connects to the first address that accepts a connection and stays there; when that
    /// server becomes unreachable or stops, calls in flight on it fail with UNAVAILABLE (retry
    /// them: intake with the same <c>request_id</c>, a watch from its last revision) and the next
    /// call connects again, trying the addresses from the first. A call is only ever sent over a
    /// connection that is up, so an address that is down from the start costs a refused connection
    /// (or <see cref="SocketsHttpHandler.ConnectTimeout"/> when it does not answer), not a failed call.
    /// </summary>
    /// <remarks>
    /// This is grpc-dotnet's client-side load balancing with the <c>pick_first</c> policy over a
    /// static list. TLS is checked for each address on its own: its host name is the one sent as
    /// SNI and checked against the certificate, and with <paramref name="pins"/> every server,
    /// the first and each one failed over to, must present a pinned certificate. Failover follows
    /// connections, not answers: a server that accepts connections but refuses TLS or answers
    /// with errors is not skipped.
    /// </remarks>
    /// <exception cref="ArgumentException">See <see cref="ValidateAddresses"/>; the message names the address at fault.</exception>
    public static GrpcChannel Create(IReadOnlyList<Uri> addresses, IReadOnlyCollection<PinnedCertificate>? pins = null,
        Action<GrpcChannelOptions>? configure = null)
    {
        ValidateAddresses(addresses, pins);
        if (addresses.Count == 1)
        {
            return Create(addresses[0], pins, configure);
        }
        var tls = IsTls(addresses[0]);
        var resolver = new StaticResolverFactory(_ => [.. addresses.Select(a => new BalancerAddress(a.DnsSafeHost, a.Port))]);
        var options = new GrpcChannelOptions
        {
            HttpHandler = CreateHandler(addresses[0], pins),
            DisposeHttpClient = true,
            Credentials = tls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure,
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new PickFirstConfig() } },
            ServiceProvider = new Resolvers(resolver),
        };
        configure?.Invoke(options);
        return GrpcChannel.ForAddress(FailoverTarget, options);
    }

    /// <summary>
    /// Checks a list of server addresses for <see cref="Create(IReadOnlyList{Uri}, IReadOnlyCollection{PinnedCertificate}?, Action{GrpcChannelOptions}?)"/>:
    /// at least one; each absolute http:// or https:// with a host, nothing after the port (no
    /// path, query or fragment) when there are several; all with the scheme of the first, so that
    /// a failover never drops from TLS to plaintext; plaintext only to loopback; pins only with
    /// https://; no address twice.
    /// </summary>
    /// <exception cref="ArgumentException">The first problem found, naming the address at fault.</exception>
    public static void ValidateAddresses(IReadOnlyList<Uri> addresses, IReadOnlyCollection<PinnedCertificate>? pins = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Count == 0)
        {
            throw new ArgumentException("At least one server address is needed.", nameof(addresses));
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var address in addresses)
        {
            if (address is null)
            {
                throw new ArgumentException("A server address is missing (null) from the list.", nameof(addresses));
            }
            if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps) || address.Host.Length == 0)
            {
                throw new ArgumentException($"'{address}' is not an http:// or https:// server address.", nameof(addresses));
            }
            if (addresses.Count > 1 && (address.AbsolutePath != "/" || address.Query.Length > 0 || address.Fragment.Length > 0))
            {
                throw new ArgumentException($"'{address}' has more than a scheme, host and port; with several addresses each names a server, nothing more.",
                    nameof(addresses));
            }
            if (address.Scheme != addresses[0].Scheme)
            {
                throw new ArgumentException(
                    $"'{address}' is {address.Scheme}:// but '{addresses[0]}' is {addresses[0].Scheme}://: every address must use the same scheme, so failing over never drops TLS.",
                    nameof(addresses));
            }
            if (!IsTls(address) && !IsLoopback(address))
            {
                throw new ArgumentException(
                    $"Refusing plaintext to {address}: operator tokens and requests would cross the network readable by anyone on the path. Use https://.",
                    nameof(addresses));
            }
            if (!seen.Add($"{address.DnsSafeHost}:{address.Port}"))
            {
                throw new ArgumentException($"'{address}' is listed twice.", nameof(addresses));
            }
        }
        if (pins is { Count: > 0 } && !IsTls(addresses[0]))
        {
            throw new ArgumentException($"A certificate pin needs https:// addresses; {addresses[0]} is plaintext.", nameof(pins));
        }
    }

    /// <summary>The handler <see cref="Create(Uri, IReadOnlyCollection{PinnedCertificate}?, Action{GrpcChannelOptions}?)"/> uses, for callers that build their own channel or HttpClient.</summary>
    public static SocketsHttpHandler CreateHandler(Uri address, IReadOnlyCollection<PinnedCertificate>? pins = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        pins ??= [];
        if (!IsTls(address))
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
            // An address that does not answer at all must not hold up the failover to the next for the default of minutes.
            ConnectTimeout = TimeSpan.FromSeconds(10),
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

    private static bool IsTls(Uri address) => string.Equals(address.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The one service a failover channel asks its service provider for: the resolver of the
    /// address list. A dependency-injection container for one entry would be a dependency for nothing.
    /// </summary>
    private sealed class Resolvers(ResolverFactory resolver) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(IEnumerable<ResolverFactory>) ? new[] { resolver }
            : serviceType == typeof(ResolverFactory) ? resolver
            : null;
    }
}
