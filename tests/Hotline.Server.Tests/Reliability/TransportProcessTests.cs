using Grpc.Core;
using Grpc.Health.V1;
using Hotline.Contract.Client;
using Hotline.Server.Tests.Transport;

namespace Hotline.Server.Tests.Reliability;

/// <summary>The shipped binary, started the way an admin starts it: what it says about plaintext, what it refuses, and TLS end to end.</summary>
[Collection(ProcessTests.Name)]
public sealed class TransportProcessTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-transport-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task PlaintextOnLoopback_StartsAndSaysSoLoudly()
    {
        await using var server = await ServerProcess.StartAsync(_dataDirectory);

        Assert.Contains("plaintext on loopback — development only", server.Output, StringComparison.Ordinal);
        Assert.Contains("warn: Hotline.Server.Transport", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlaintextOnEveryInterface_ExitsWith6AndAClearMessage()
    {
        await using var server = ServerProcess.Launch(_dataDirectory, "--listen", "http://0.0.0.0:0");

        Assert.Equal(6, await server.WaitForExitAsync());
        Assert.Contains("refusing to listen without TLS on http://0.0.0.0:0", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hotline listening", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingCertificate_ExitsWith7()
    {
        await using var server = ServerProcess.Launch(_dataDirectory, "--listen", "https://127.0.0.1:0");

        Assert.Equal(7, await server.WaitForExitAsync());
        Assert.Contains("Hotline:Tls:CertificatePath", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_PinnedClientConnectsAndTheLogNamesTheFingerprint()
    {
        using var certificate = TestCertificate.Create("127.0.0.1");
        await using var server = await ServerProcess.StartAsync(_dataDirectory, ["--listen", "https://127.0.0.1:0", .. certificate.ServerArguments]);

        using var channel = HotlineChannel.Create(server.Address, [certificate.Pin]);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(15)))
            .ResponseAsync.DefaultTimeout();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal("https", server.Address.Scheme);
        Assert.Contains(certificate.Pin.ToString(), server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("PLAINTEXT", server.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
