using System.Net;
using System.Security.Cryptography.X509Certificates;
using Hotline.Contract.Client;
using Hotline.Server.Transport;

namespace Hotline.Server.Tests.Transport;

public sealed class TlsCommandTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void SelfSigned_WritesCertificateAndOwnerOnlyKeyAndPrintsTheirFingerprint()
    {
        using var created = TestCertificate.Create("hotline.example.org", "10.0.0.7");
        using var certificate = created.Load();

        Assert.Equal(PinnedCertificate.Of(certificate), created.Pin);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(created.KeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(created.Directory));
        Assert.Equal("CN=hotline.example.org", certificate.Subject);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["hotline.example.org"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.0.0.7")], names.EnumerateIPAddresses());
        Assert.True(certificate.NotAfter > DateTime.Now.AddDays(800));
        Assert.Contains("--pin " + created.Pin, created.Output, StringComparison.Ordinal);
        Assert.Contains("--Hotline:Tls:KeyPath " + created.KeyPath, created.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void SelfSigned_ExistingFiles_AreNeverOverwritten()
    {
        using var created = TestCertificate.Create("localhost");
        var key = File.ReadAllText(created.KeyPath);
        using var error = new StringWriter();

        var exitCode = TlsCommand.Run(["selfsigned", "--out", created.Directory], TextWriter.Null, error);

        Assert.Equal(1, exitCode);
        Assert.Contains("already exists", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(key, File.ReadAllText(created.KeyPath));
    }

    [Theory]
    [InlineData("selfsigned")]
    [InlineData("selfsigned", "--out")]
    [InlineData("selfsigned", "--out", "x", "--days", "0")]
    [InlineData("selfsigned", "--out", "x", "--bogus")]
    [InlineData("rotate")]
    public void BadArguments_PrintUsageAndExit2(params string[] args)
    {
        using var error = new StringWriter();
        Assert.Equal(2, TlsCommand.Run(args, TextWriter.Null, error));
        Assert.Contains("usage: Hotline.Server tls selfsigned", error.ToString(), StringComparison.Ordinal);
    }
}
