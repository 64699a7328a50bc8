using System.Security.Cryptography;
using System.Text;

namespace Hotline.Domain;

/// <summary>
/// Bearer tokens: 32 random bytes, written as <c>hl_</c> and 52 lowercase base32 characters, shown
/// once when issued and kept only as their SHA-256 hash.
/// A fast hash is enough here, unlike for passwords: a slow, salted hash (bcrypt, Argon2) exists to
/// make guessing low-entropy secrets expensive, but a token carries 256 bits from the operating
/// system's random generator, so even someone holding the database cannot find one by guessing,
/// however fast each guess is. A slow hash would only make every authenticated call slower and turn
/// bad tokens into a cheap way to burn the server's CPU.
/// </summary>
public static class AccessTokens
{
    public const string Prefix = "hl_";

    private const int SecretBytes = 32;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>The length of every token this server issues.</summary>
    public static readonly int Length = Prefix.Length + ((SecretBytes * 8) + 4) / 5;

    public static string New()
    {
        Span<byte> secret = stackalloc byte[SecretBytes];
        RandomNumberGenerator.Fill(secret);
        var text = new StringBuilder(Length).Append(Prefix);
        var buffer = 0;
        var bits = 0;
        foreach (var b in secret)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                text.Append(Alphabet[(buffer >> bits) & 31]);
            }
        }
        if (bits > 0)
        {
            text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }
        CryptographicOperations.ZeroMemory(secret);
        return text.ToString();
    }

    /// <summary>What the store keeps of a token.</summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>
    /// True when <paramref name="token"/> has the shape of an issued token. Checked before hashing,
    /// so arbitrary header junk is refused without work; it says nothing about validity.
    /// </summary>
    public static bool IsWellFormed(string token) =>
        token.Length == Length
        && token.StartsWith(Prefix, StringComparison.Ordinal)
        && token.AsSpan(Prefix.Length).IndexOfAnyExcept(Alphabet) < 0;
}
