using System.Security.Cryptography.X509Certificates;
using Hotline.Contract.Client;
using Hotline.Server.Transport;

namespace Hotline.Server.Tests.Transport;

/// <summary>A self-signed certificate made by `tls selfsigned` in a directory of its own, as an admin would make one.</summary>
internal sealed class TestCertificate : IDisposable
{
    private TestCertificate(string directory, string output)
    {
        Directory = directory;
        Output = output;
        var line = output.Split('\n').Single(l => l.StartsWith("fingerprint: ", StringComparison.Ordinal));
        Pin = PinnedCertificate.Parse(line["fingerprint: ".Length..]);
    }

    public string Directory { get; }
    public string Output { get; }
    public string CertificatePath => Path.Combine(Directory, TlsCommand.CertificateFile);
    public string KeyPath => Path.Combine(Directory, TlsCommand.KeyFile);

    /// <summary>The fingerprint as the command printed it.</summary>
    public PinnedCertificate Pin { get; }

    public string[] ServerArguments => ["--Hotline:Tls:CertificatePath", CertificatePath, "--Hotline:Tls:KeyPath", KeyPath];

    public static TestCertificate Create(params string[] hosts)
    {
        var directory = Path.Combine(Path.GetTempPath(), "hotline-tls-" + Guid.NewGuid().ToString("N"));
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] args = ["selfsigned", "--out", directory, .. hosts.SelectMany(h => new[] { "--host", h })];
        var exitCode = TlsCommand.Run(args, output, error);
        Assert.True(exitCode == 0, error.ToString());
        return new TestCertificate(directory, output.ToString());
    }

    public X509Certificate2 Load() => X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
