namespace Hotline.Server.Transport;

/// <summary>
/// `Hotline:Tls`: the certificate every https:// listen address serves. Either a PEM
/// certificate and its PEM private key, or one PKCS#12 file (.pfx, .p12) holding both.
/// </summary>
public sealed class TlsOptions
{
    public const string Section = "Hotline:Tls";

    /// <summary>PEM certificate (leaf first, then any intermediates), or a .pfx/.p12 file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>
    /// PEM private key (PKCS#8, PKCS#1 or SEC1) of <see cref="CertificatePath"/>. Leave empty for a
    /// PKCS#12 file or a PEM file that holds the key after the certificate. Must not be readable by
    /// other users of the machine.
    /// </summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// Password of the PKCS#12 file or of an encrypted PEM key. Pass it as the environment variable
    /// Hotline__Tls__Password rather than on the command line, where `ps` shows it to everyone.
    /// </summary>
    public string? Password { get; set; }
}
