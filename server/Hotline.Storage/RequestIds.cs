using System.Security.Cryptography;

namespace Hotline.Storage;

/// <summary>
/// Request ids: 20 characters of lowercase base32 from the system's cryptographic generator,
/// 100 random bits. They appear in URLs and resource names, so they must be URL-safe, and they
/// must not be guessable, so holding one id tells nothing about any other request.
/// </summary>
internal static class RequestIds
{
    public const int Length = 20;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>False for anything this store could not have issued, including its own bookkeeping documents.</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: Length } && id.AsSpan().IndexOfAnyExcept(Alphabet) < 0;
}
