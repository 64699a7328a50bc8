using Hotline.Server.Hosting;
using Hotline.Server.Transport;

namespace Hotline.Server.Tests.Transport;

/// <summary>Every way the server could end up serving requests in the clear, or not serve TLS as configured, is refused before anything listens.</summary>
public sealed class TransportStartupTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-refused-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("http://0.0.0.0:5171")]
    [InlineData("http://*:5171")]
    [InlineData("http://[::]:5171")]
    [InlineData("http://192.168.1.10:5171")]
    [InlineData("http://127.0.0.1:5171;http://10.0.0.7:5171")]
    public void PlaintextBeyondLoopback_IsRefusedWithExit6(string listen)
    {
        var refused = Assert.Throws<TransportRefusedException>(() => Build("--urls", listen));

        Assert.Equal(ExitCodes.PlaintextNotLoopback, refused.ExitCode);
        Assert.Contains("refusing to listen without TLS", refused.Message, StringComparison.Ordinal);
        Assert.Contains("only on loopback", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dataDirectory), "nothing is opened before the refusal");
    }

    [Fact]
    public async Task PlaintextBeyondLoopback_RunExitsWith6BeforeOpeningTheStore()
    {
        var exitCode = await HotlineHost.RunAsync(["--listen", "http://0.0.0.0:0", "--data-dir", _dataDirectory]).DefaultTimeout();

        Assert.Equal(ExitCodes.PlaintextNotLoopback, exitCode);
        Assert.False(Directory.Exists(_dataDirectory));
    }

    [Fact]
    public void Https_WithoutCertificate_IsRefusedNamingTheSetting()
    {
        var refused = Assert.Throws<TransportRefusedException>(() => Build("--urls", "https://0.0.0.0:5171"));

        Assert.Equal(ExitCodes.CertificateUnusable, refused.ExitCode);
        Assert.Contains("Hotline:Tls:CertificatePath", refused.Message, StringComparison.Ordinal);
        Assert.Contains("tls selfsigned", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Https_MissingCertificateFile_IsRefused()
    {
        var missing = Path.Combine(_dataDirectory, "nowhere.crt");
        var refused = Assert.Throws<TransportRefusedException>(() =>
            Build("--urls", "https://127.0.0.1:0", "--Hotline:Tls:CertificatePath", missing, "--Hotline:Tls:KeyPath", missing + ".key"));

        Assert.Equal(ExitCodes.CertificateUnusable, refused.ExitCode);
        Assert.Contains(missing, refused.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be read", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Https_GarbageCertificate_IsRefused()
    {
        using var certificate = TestCertificate.Create("127.0.0.1");
        File.WriteAllText(certificate.CertificatePath, "not a certificate");

        var refused = Assert.Throws<TransportRefusedException>(() => Build(["--urls", "https://127.0.0.1:0", .. certificate.ServerArguments]));

        Assert.Equal(ExitCodes.CertificateUnusable, refused.ExitCode);
        Assert.Contains("cannot be loaded", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Https_KeyOfAnotherCertificate_IsRefused()
    {
        using var certificate = TestCertificate.Create("127.0.0.1");
        using var other = TestCertificate.Create("127.0.0.1");

        var refused = Assert.Throws<TransportRefusedException>(() => Build("--urls", "https://127.0.0.1:0",
            "--Hotline:Tls:CertificatePath", certificate.CertificatePath, "--Hotline:Tls:KeyPath", other.KeyPath));

        Assert.Equal(ExitCodes.CertificateUnusable, refused.ExitCode);
        Assert.Contains("cannot be loaded", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Https_CertificateWithoutKey_IsRefused()
    {
        using var certificate = TestCertificate.Create("127.0.0.1");

        var refused = Assert.Throws<TransportRefusedException>(() => Build("--urls", "https://127.0.0.1:0",
            "--Hotline:Tls:CertificatePath", certificate.CertificatePath));

        Assert.Equal(ExitCodes.CertificateUnusable, refused.ExitCode);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Https_KeyReadableByEveryone_IsRefused()
    {
        using var certificate = TestCertificate.Create("127.0.0.1");
        File.SetUnixFileMode(certificate.KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var refused = Assert.Throws<TransportRefusedException>(() => Build(["--urls", "https://127.0.0.1:0", .. certificate.ServerArguments]));

        Assert.Equal(ExitCodes.CertificateUnusable, refused.ExitCode);
        Assert.Contains("chmod 600", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KestrelEndpointsInConfiguration_AreRefused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() =>
            Build("--urls", "http://127.0.0.1:0", "--Kestrel:Endpoints:Open:Url", "http://0.0.0.0:5171"));

        Assert.Contains("Kestrel:Endpoints", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IntakeLimitOfZero_IsAConfigurationError()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Build("--urls", "http://127.0.0.1:0", "--Hotline:Intake:GlobalPerSecond", "0"));

        Assert.Contains("Hotline:Intake:GlobalPerSecond", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("12:00:00")]
    [InlineData("8.00:00:00")]
    public void WatchClosedWindowOutsideADayToAWeek_IsAConfigurationError(string window)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Build("--urls", "http://127.0.0.1:0", "--Hotline:Watch:ClosedWindow", window));

        Assert.Contains("Hotline:Watch:ClosedWindow", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Hotline:Authentication:MaxFailures", "0")]
    [InlineData("Hotline:Authentication:FailureWindow", "00:00:00")]
    [InlineData("Hotline:Authentication:FailureWindow", "2.00:00:00")]
    [InlineData("Hotline:RetentionDays", "-1")]
    [InlineData("Hotline:RetentionDays", "NaN")]
    [InlineData("Hotline:RetentionCheckInterval", "00:00:00")]
    [InlineData("Hotline:ChangeLogRetention", "-5")]
    public void AuthenticationOrRetentionSettingOutOfRange_IsAConfigurationErrorNamingIt(string setting, string value)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Build("--urls", "http://127.0.0.1:0", "--" + setting, value));

        Assert.Contains(setting, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WatchStreamLimitsThatContradict_AreAConfigurationError()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Build("--urls", "http://127.0.0.1:0",
            "--Hotline:Watch:MaxStreamsPerCaller", "10", "--Hotline:Watch:MaxStreams", "5"));

        Assert.Contains("Hotline:Watch:MaxStreams", refused.Message, StringComparison.Ordinal);
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

    /// <summary>Builds the host (where every refusal these tests expect is thrown) and disposes it unstarted.</summary>
    private void Build(params string[] arguments)
    {
        using var host = HotlineHost.Build([.. arguments, "--Hotline:DataDirectory", _dataDirectory]);
    }
}
