using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hotline.Server.Transport;

/// <summary>Loads the certificate named by <see cref="TlsOptions"/>, refusing anything Kestrel could not serve.</summary>
internal static class ServerCertificate
{
    /// <exception cref="TransportRefusedException">The certificate is missing, unreadable, without its key, or its key file is open to everyone.</exception>
    public static X509Certificate2 Load(TlsOptions tls)
    {
        if (string.IsNullOrWhiteSpace(tls.CertificatePath))
        {
            throw Refused("an https:// listen address needs a certificate: set Hotline:Tls:CertificatePath (PEM or .pfx) and, for PEM, "
                + "Hotline:Tls:KeyPath. For development, `Hotline.Server tls selfsigned --out DIR --host NAME` creates one.");
        }
        var certificatePath = Path.GetFullPath(tls.CertificatePath);
        var keyPath = string.IsNullOrWhiteSpace(tls.KeyPath) ? null : Path.GetFullPath(tls.KeyPath);
        var pkcs12 = keyPath is null && (certificatePath.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase)
            || certificatePath.EndsWith(".p12", StringComparison.OrdinalIgnoreCase));

        RequireFile(certificatePath, "Hotline:Tls:CertificatePath");
        if (keyPath is not null)
        {
            RequireFile(keyPath, "Hotline:Tls:KeyPath");
        }
        // The file holding the private key: whoever reads it can impersonate this server.
        RequireNotWorldReadable(keyPath ?? certificatePath);

        X509Certificate2 certificate;
        try
        {
            certificate = pkcs12
                ? X509CertificateLoader.LoadPkcs12FromFile(certificatePath, tls.Password, X509KeyStorageFlags.EphemeralKeySet)
                : string.IsNullOrEmpty(tls.Password)
                    ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, tls.Password, keyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw Refused($"the certificate {certificatePath}{(keyPath is null ? "" : " with key " + keyPath)} cannot be loaded: {ex.Message}");
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw Refused($"{certificatePath} holds no private key; set Hotline:Tls:KeyPath to the PEM key of this certificate.");
        }
        return certificate;
    }

    private static void RequireFile(string path, string setting)
    {
        try
        {
            using var probe = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Refused($"{setting} = {path} cannot be read: {ex.Message}");
        }
    }

    private static void RequireNotWorldReadable(string path)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw Refused($"the private key {path} is readable by every user of this machine; run `chmod 600 {path}` (or 640 with a dedicated group).");
        }
    }

    private static TransportRefusedException Refused(string message) =>
        new("TLS: " + message, ExitCodes.CertificateUnusable);
}
