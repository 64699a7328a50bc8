using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Health.V1;
using Hotline.Contract.Client;
using Hotline.Server.Hosting;
using Hotline.Server.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Hotline.Server.Tests.Transport;

/// <summary>A real Kestrel on https://127.0.0.1 with a self-signed certificate, reached by clients that pin it, pin another, or pin nothing.</summary>
public sealed class TlsServerTests
{
    [Fact]
    public async Task PinnedToServerCertificate_Connects()
    {
        using var certificate = TestCertificate.Create("hotline.test");
        await using var server = await StartAsync(certificate.ServerArguments);

        using var channel = HotlineChannel.Create(server.Address, [certificate.Pin]);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), Deadline()).ResponseAsync.DefaultTimeout();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal("https", server.Address.Scheme);
    }

    [Fact]
    public async Task PinnedToAnotherCertificate_IsRefused()
    {
        using var certificate = TestCertificate.Create("hotline.test");
        using var impostor = TestCertificate.Create("hotline.test");
        await using var server = await StartAsync(impostor.ServerArguments);

        using var channel = HotlineChannel.Create(server.Address, [certificate.Pin]);
        var refused = await Assert.ThrowsAsync<RpcException>(
            () => new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), Deadline()).ResponseAsync.DefaultTimeout());

        AssertRefusedDuringHandshake(refused);
    }

    [Fact]
    public async Task WithoutPin_SelfSignedCertificateIsUntrusted()
    {
        using var certificate = TestCertificate.Create("127.0.0.1");
        await using var server = await StartAsync(certificate.ServerArguments);

        using var channel = HotlineChannel.Create(server.Address);
        var refused = await Assert.ThrowsAsync<RpcException>(
            () => new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), Deadline()).ResponseAsync.DefaultTimeout());

        AssertRefusedDuringHandshake(refused);
    }

    [Fact]
    public async Task Alpn_NegotiatesHttp2OverTls12OrLater()
    {
        using var certificate = TestCertificate.Create("127.0.0.1");
        await using var server = await StartAsync(certificate.ServerArguments);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Address.Host, server.Address.Port).DefaultTimeout();
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            ApplicationProtocols = [SslApplicationProtocol.Http11, SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = (_, presented, _, _) => certificate.Pin.Matches(presented),
        }).DefaultTimeout();

        Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
        Assert.True(tls.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13, tls.SslProtocol.ToString());
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Pkcs12WithPassword_IsServed()
    {
        using var certificate = TestCertificate.Create("127.0.0.1");
        var pfx = Path.Combine(certificate.Directory, "hotline.pfx");
        using (var loaded = certificate.Load())
        {
            await File.WriteAllBytesAsync(pfx, loaded.Export(X509ContentType.Pkcs12, "correct horse"));
        }
        File.SetUnixFileMode(pfx, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var server = await StartAsync(["--Hotline:Tls:CertificatePath", pfx, "--Hotline:Tls:Password", "correct horse"]);

        using var channel = HotlineChannel.Create(server.Address, [certificate.Pin]);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), Deadline()).ResponseAsync.DefaultTimeout();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task PlaintextAndTlsOnLoopback_ServeSideBySide()
    {
        using var certificate = TestCertificate.Create("127.0.0.1");
        await using var server = await StartAsync([.. certificate.ServerArguments, "--urls", "https://127.0.0.1:0;http://127.0.0.1:0"]);

        Assert.Equal(["http", "https"], server.Addresses.Select(a => a.Scheme).Order());
        foreach (var address in server.Addresses)
        {
            using var channel = HotlineChannel.Create(address, address.Scheme == "https" ? [certificate.Pin] : null);
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), Deadline()).ResponseAsync.DefaultTimeout();
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
    }

    private static CallOptions Deadline() => new(deadline: DateTime.UtcNow.AddSeconds(15));

    /// <summary>The TLS handshake failed on the client's check of the certificate: no request was sent.</summary>
    private static void AssertRefusedDuringHandshake(RpcException refused)
    {
        Assert.NotEqual(StatusCode.OK, refused.StatusCode);
        for (Exception? e = refused.Status.DebugException; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException)
            {
                return;
            }
        }
        Assert.Fail("expected a TLS authentication failure, got " + refused);
    }

    private static async Task<RunningServer> StartAsync(string[] arguments)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-tls-data-" + Guid.NewGuid().ToString("N"));
        var app = HotlineHost.Build(["--urls", "https://127.0.0.1:0", "--Hotline:DataDirectory", dataDirectory,
            "--Hotline:MasterKeyFile", HotlineTestServer.WriteMasterKeyFile(dataDirectory), .. arguments],
            builder => builder.Logging.ClearProviders());
        await app.StartAsync().DefaultTimeout();
        return new RunningServer(app, dataDirectory);
    }

    private sealed class RunningServer(WebApplication app, string dataDirectory) : IAsyncDisposable
    {
        public IReadOnlyList<Uri> Addresses { get; } = [.. app.Urls.Where(u => !u.StartsWith("http://unix:", StringComparison.Ordinal)).Select(u => new Uri(u))];

        public Uri Address => Addresses.Single();

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await app.DisposeAsync();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
