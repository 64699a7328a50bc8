using System.Security.Cryptography;
using System.Text;

namespace Hotline.Storage;

/// <summary>
/// AES-256-GCM with a random 96-bit nonce per seal. A sealed blob is
/// <c>version (1) | nonce (12) | tag (16) | ciphertext</c>. The associated data names the request
/// and the field, so a blob moved to another request or another field fails to open instead of
/// showing one person's message as another's, or a note as a contact handle.
/// Random nonces are safe here: each data key seals a few fields of one request, far below the
/// 2^32 seals per key where a nonce repeat becomes plausible.
/// </summary>
internal static class FieldCipher
{
    public const byte Version = 1;
    public const int NonceLength = 12;
    public const int TagLength = 16;
    public const int Overhead = 1 + NonceLength + TagLength;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        using var aes = new AesGcm(key, TagLength);
        return Seal(aes, associatedData, plaintext);
    }

    public static byte[] Seal(AesGcm aes, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        var blob = new byte[Overhead + plaintext.Length];
        blob[0] = Version;
        var nonce = blob.AsSpan(1, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(Overhead), blob.AsSpan(1 + NonceLength, TagLength), associatedData);
        return blob;
    }

    /// <summary>The plaintext, or null when the blob is malformed, altered, or sealed under another key or associated data.</summary>
    public static byte[]? TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> blob)
    {
        using var aes = new AesGcm(key, TagLength);
        return TryOpen(aes, associatedData, blob);
    }

    public static byte[]? TryOpen(AesGcm aes, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < Overhead || blob[0] != Version)
        {
            return null;
        }
        var plaintext = new byte[blob.Length - Overhead];
        try
        {
            aes.Decrypt(blob.Slice(1, NonceLength), blob[Overhead..], blob.Slice(1 + NonceLength, TagLength), plaintext, associatedData);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>hotline/v1 NUL request id NUL field</c>. Request ids and field names never hold a NUL, so no
    /// two (request, field) pairs share associated data.
    /// </summary>
    public static byte[] AssociatedData(string requestId, string field) =>
        Encoding.UTF8.GetBytes("hotline/v1\0" + requestId + "\0" + field);
}
