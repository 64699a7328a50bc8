using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hotline.Contract.Client;

/// <summary>
/// A server certificate named by the SHA-256 fingerprint of its DER encoding, the value
/// `openssl x509 -noout -fingerprint -sha256` and `Hotline.Server tls selfsigned` print.
/// A client that pins trusts exactly that certificate and no certificate authority: this is how
/// consoles and integrations reach a server with a self-signed certificate without turning
/// validation off, and it keeps a compromised or coerced CA from vouching for an impostor.
/// Immutable and thread-safe.
/// </summary>
public sealed class PinnedCertificate : IEquatable<PinnedCertificate>
{
    /// <summary>The prefix <see cref="ToString"/> writes and <see cref="Parse"/> accepts (optionally).</summary>
    public const string Prefix = "sha256:";

    private const int HashBytes = 32;

    private readonly byte[] _sha256;

    private PinnedCertificate(byte[] sha256)
    {
        _sha256 = sha256;
    }

    /// <summary>The fingerprint bytes.</summary>
    public ReadOnlySpan<byte> Sha256 => _sha256;

    /// <summary>
    /// Reads a fingerprint: 64 hex digits, in either case, optionally separated by colons and
    /// optionally prefixed with `sha256:`.
    /// </summary>
    /// <exception cref="FormatException">The text is not a SHA-256 fingerprint.</exception>
    public static PinnedCertificate Parse(string text) =>
        TryParse(text, out var pin)
            ? pin
            : throw new FormatException("A certificate pin is a SHA-256 fingerprint: 64 hex digits, colons optional, optionally prefixed with 'sha256:'.");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out PinnedCertificate? pin)
    {
        pin = null;
        if (text is null)
        {
            return false;
        }
        var digits = text.Trim();
        if (digits.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[Prefix.Length..];
        }
        digits = digits.Replace(":", "", StringComparison.Ordinal);
        if (digits.Length != HashBytes * 2 || !digits.All(char.IsAsciiHexDigit))
        {
            return false;
        }
        pin = new PinnedCertificate(Convert.FromHexString(digits));
        return true;
    }

    /// <summary>The pin that matches <paramref name="certificate"/>.</summary>
    public static PinnedCertificate Of(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new PinnedCertificate(certificate.GetCertHash(HashAlgorithmName.SHA256));
    }

    /// <summary>True when <paramref name="certificate"/> is the pinned certificate.</summary>
    public bool Matches(X509Certificate? certificate) =>
        certificate is not null && CryptographicOperations.FixedTimeEquals(certificate.GetCertHash(HashAlgorithmName.SHA256), _sha256);

    /// <summary>`sha256:` and the fingerprint as colon-separated upper-case hex pairs.</summary>
    public override string ToString() =>
        Prefix + string.Join(':', _sha256.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));

    public bool Equals(PinnedCertificate? other) => other is not null && _sha256.AsSpan().SequenceEqual(other._sha256);

    public override bool Equals(object? obj) => Equals(obj as PinnedCertificate);

    public override int GetHashCode() => BitConverter.ToInt32(_sha256, 0);
}
