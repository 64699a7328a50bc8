using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hotline.Server.Transport;

/// <summary>
/// A self-signed server certificate for deployments whose clients pin it by fingerprint instead
/// of trusting a CA. ECDSA P-256: every gRPC stack (C#, Go, Python, Node) accepts it.
/// </summary>
internal static class SelfSignedCertificate
{
    /// <summary>A certificate with its private key, valid for <paramref name="hosts"/> (DNS names and IP addresses) from now for <paramref name="validity"/>.</summary>
    public static X509Certificate2 Create(IReadOnlyList<string> hosts, TimeSpan validity, TimeProvider? time = null)
    {
        if (hosts.Count == 0)
        {
            throw new ArgumentException("A certificate needs at least one host name or IP address.", nameof(hosts));
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + hosts[0].Replace(",", "", StringComparison.Ordinal)), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                names.AddIpAddress(ip);
            }
            else
            {
                names.AddDnsName(host);
            }
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        // Backdated a little so a client whose clock runs slightly behind still accepts it.
        var now = (time ?? TimeProvider.System).GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validity));
    }
}
