using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Hotline.Server.Transport;

/// <summary>
/// Where the server listens and with which certificate, checked before anything binds: every
/// address that is not loopback must be https://, and every https:// address gets the configured
/// certificate. Kestrel then binds exactly these addresses.
/// </summary>
internal sealed class ListenPlan : IDisposable
{
    private ListenPlan(IReadOnlyList<ListenAddress> addresses, X509Certificate2? certificate)
    {
        Addresses = addresses;
        Certificate = certificate;
    }

    public IReadOnlyList<ListenAddress> Addresses { get; }

    /// <summary>The server certificate, when any address is https://.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Checks the listen addresses and certificate in <paramref name="builder"/>'s configuration and makes Kestrel bind only them.</summary>
    /// <exception cref="TransportRefusedException">Plaintext beyond loopback, or an unusable certificate.</exception>
    /// <exception cref="FormatException">A listen address cannot be parsed.</exception>
    /// <exception cref="InvalidOperationException">Kestrel endpoints are configured behind Hotline's back.</exception>
    public static ListenPlan Configure(WebApplicationBuilder builder)
    {
        var plan = FromConfiguration(builder.Configuration);
        // Kestrel binds the checked addresses, re-stated so that no other source of URLs can add one.
        builder.WebHost.UseUrls([.. plan.Addresses.Select(a => a.Text)]);
        builder.WebHost.ConfigureKestrel(plan.Apply);
        builder.Services.AddSingleton(plan);
        builder.Services.AddHostedService<ListenPlanAnnouncement>();
        return plan;
    }

    public static ListenPlan FromConfiguration(IConfiguration configuration)
    {
        if (configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            throw new InvalidOperationException(
                "Kestrel:Endpoints is not supported: Hotline checks and binds its listen addresses itself. Use --listen (Urls) and Hotline:Tls.");
        }
        var addresses = ListenAddress.ParseList(configuration[WebHostDefaults.ServerUrlsKey]);
        var exposed = addresses.Where(a => !a.Tls && !a.IsLoopback).ToList();
        if (exposed.Count > 0)
        {
            throw new TransportRefusedException(
                $"refusing to listen without TLS on {string.Join(", ", exposed)}: plaintext (http://) is allowed only on loopback "
                + "(127.0.0.1, ::1, localhost). Listen on https:// with Hotline:Tls:CertificatePath and Hotline:Tls:KeyPath set; "
                + "`Hotline.Server tls selfsigned --out DIR --host NAME` creates a certificate for a first deployment.",
                ExitCodes.PlaintextNotLoopback);
        }
        var certificate = addresses.Any(a => a.Tls)
            ? ServerCertificate.Load(configuration.GetSection(TlsOptions.Section).Get<TlsOptions>() ?? new TlsOptions())
            : null;
        return new ListenPlan(addresses, certificate);
    }

    /// <summary>
    /// HTTP/2 only, except on a TCP endpoint that only https:// addresses name, which also takes
    /// HTTP/1.1 (ALPN picks), for gateways that POST JSON and know no HTTP/2. Plaintext stays
    /// HTTP/2 only, and so loopback only, like every plaintext address.
    /// </summary>
    public HttpProtocols ProtocolsFor(ListenOptions endpoint)
    {
        if (endpoint.IPEndPoint is not { } ip)
        {
            return HttpProtocols.Http2;
        }
        var sharing = Addresses.Where(a => !a.IsUnixSocket && a.Port == ip.Port).ToList();
        return sharing.Count > 0 && sharing.All(a => a.Tls) ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http2;
    }

    public void Dispose() => Certificate?.Dispose();

    private void Apply(KestrelServerOptions kestrel) =>
        // The endpoint defaults choose the protocols (ProtocolsFor): over TLS, ALPN settles on h2 for gRPC, http/1.1 for HTTP/JSON.
        kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificate = Certificate;
            https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        });
}

/// <summary>Says at start what the transport protects and what it does not: the certificate and its pin, or loudly, plaintext.</summary>
internal sealed class ListenPlanAnnouncement(ListenPlan plan, TimeProvider time, ILoggerFactory loggers) : IHostedService
{
    private static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("Hotline.Server.Transport");
        // A Unix socket is guarded by its file permissions, not by TLS; only TCP plaintext is worth the warning.
        foreach (var address in plan.Addresses.Where(a => !a.Tls && !a.IsUnixSocket))
        {
            TransportLog.PlaintextOnLoopback(logger, address.Text);
        }
        if (plan.Certificate is { } certificate)
        {
            var pin = Contract.Client.PinnedCertificate.Of(certificate).ToString();
            TransportLog.CertificateInUse(logger, certificate.Subject, pin, certificate.NotAfter.ToUniversalTime());
            var left = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()) - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                TransportLog.CertificateExpired(logger, certificate.NotAfter.ToUniversalTime());
            }
            else if (left < ExpiryWarning)
            {
                TransportLog.CertificateExpiresSoon(logger, certificate.NotAfter.ToUniversalTime(), (int)left.TotalDays);
            }
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
