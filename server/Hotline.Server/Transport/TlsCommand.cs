using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Hotline.Contract.Client;

namespace Hotline.Server.Transport;

/// <summary>
/// `Hotline.Server tls selfsigned --out DIR [--host NAME]... [--days N]`: writes a self-signed
/// certificate (hotline.crt) and its key (hotline.key, owner-only) and prints the fingerprint
/// clients pin. Never overwrites: an existing key may be the one a deployment is using.
/// </summary>
internal static class TlsCommand
{
    public const string CertificateFile = "hotline.crt";
    public const string KeyFile = "hotline.key";

    private const int ExitOk = 0;
    private const int ExitFailed = 1;
    private const int ExitUsage = 2;

    private const string Usage = """
        usage: Hotline.Server tls selfsigned --out DIR [--host NAME]... [--days N]
          --out DIR    where to write hotline.crt and hotline.key (created owner-only if missing)
          --host NAME  a DNS name or IP address clients connect to; repeat for several
                       (default: localhost, 127.0.0.1, ::1)
          --days N     validity in days (default 825)
        """;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not ["selfsigned", .. var rest])
        {
            error.WriteLine(Usage);
            return args is ["--help"] or ["-h"] ? ExitOk : ExitUsage;
        }
        string? directory = null;
        var hosts = new List<string>();
        var days = 825;
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case "--out" when i + 1 < rest.Length:
                    directory = rest[++i];
                    break;
                case "--host" when i + 1 < rest.Length:
                    hosts.Add(rest[++i]);
                    break;
                case "--days" when i + 1 < rest.Length && int.TryParse(rest[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out days) && days > 0:
                    i++;
                    break;
                default:
                    error.WriteLine($"tls selfsigned: unexpected argument '{rest[i]}'");
                    error.WriteLine(Usage);
                    return ExitUsage;
            }
        }
        if (directory is null)
        {
            error.WriteLine("tls selfsigned: --out DIR is required");
            error.WriteLine(Usage);
            return ExitUsage;
        }
        if (hosts.Count == 0)
        {
            hosts.AddRange(["localhost", "127.0.0.1", "::1"]);
        }

        var certificatePath = Path.GetFullPath(Path.Combine(directory, CertificateFile));
        var keyPath = Path.GetFullPath(Path.Combine(directory, KeyFile));
        if (File.Exists(certificatePath) || File.Exists(keyPath))
        {
            error.WriteLine($"tls selfsigned: {certificatePath} or {keyPath} already exists; remove them or choose another --out.");
            return ExitFailed;
        }
        try
        {
            OwnerOnlyFiles.EnsureDirectory(directory);
            using var certificate = SelfSignedCertificate.Create(hosts, TimeSpan.FromDays(days));
            WriteOwnerOnly(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
            Report(output, certificate, certificatePath, keyPath, hosts);
            return ExitOk;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"tls selfsigned: {ex.Message}");
            return ExitFailed;
        }
    }

    private static void WriteOwnerOnly(string path, string content)
    {
        using var stream = OwnerOnlyFiles.CreateNew(path);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
        writer.Write('\n');
    }

    private static void Report(TextWriter output, X509Certificate2 certificate, string certificatePath, string keyPath, List<string> hosts)
    {
        var pin = PinnedCertificate.Of(certificate);
        output.WriteLine($"certificate: {certificatePath}");
        output.WriteLine($"private key: {keyPath} (owner-only; never copy it off this server)");
        output.WriteLine($"valid for:   {string.Join(", ", hosts)} until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}");
        output.WriteLine($"fingerprint: {pin}");
        output.WriteLine();
        output.WriteLine("Serve it:");
        output.WriteLine($"  Hotline.Server --listen https://0.0.0.0:5171 --Hotline:Tls:CertificatePath {certificatePath} --Hotline:Tls:KeyPath {keyPath}");
        output.WriteLine("Pin it in each client (compare the fingerprint over a second channel, e.g. in person or by phone):");
        output.WriteLine($"  hotline-console --server https://{FormatHost(hosts[0])}:5171 --pin {pin}");
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
}
