using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Hotline.Protection;

/// <summary>
/// AES-256-GCM with a random 96-bit nonce per seal. A sealed blob is
/// <c>version (1) | nonce (12) | tag (16) | ciphertext</c>. The associated data names the request
/// and the field, so a blob moved to another request or another field fails to open instead of
/// showing one person's message as another's, or a note as a contact handle.
/// Version 1 seals the bytes as they are (keys, whose length is public anyway). Version 2 seals
/// free text padded (see <see cref="PaddedLength"/>), so a stolen database does not tell a short
/// "help" from a long account, or a phone number from a messenger handle, by its length; its
/// associated data starts with the version, so a version 2 blob relabelled 1 does not open.
/// Random nonces are safe here: each data key seals a few fields of one request, far below the
/// 2^32 seals per key where a nonce repeat becomes plausible.
/// </summary>
public static class FieldCipher
{
    public const byte Version = 1;
    public const byte PaddedVersion = 2;
    public const int MinimumPaddedLength = 64;
    private const int LengthPrefix = sizeof(int);
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

    /// <summary>Seals <paramref name="plaintext"/> as version 2: <c>length (4, little-endian) | bytes | zeros</c>, padded.</summary>
    public static byte[] SealPadded(AesGcm aes, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        var framed = new byte[PaddedLength(LengthPrefix + plaintext.Length)];
        try
        {
            BinaryPrimitives.WriteInt32LittleEndian(framed, plaintext.Length);
            plaintext.CopyTo(framed.AsSpan(LengthPrefix));
            var blob = new byte[Overhead + framed.Length];
            blob[0] = PaddedVersion;
            var nonce = blob.AsSpan(1, NonceLength);
            RandomNumberGenerator.Fill(nonce);
            aes.Encrypt(nonce, framed, blob.AsSpan(Overhead), blob.AsSpan(1 + NonceLength, TagLength), VersionedAssociatedData(associatedData));
            return blob;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(framed);
        }
    }

    /// <summary>
    /// Opens a version 2 blob, or a version 1 one written before padding existed. Null when the blob
    /// is malformed, altered, sealed under another key or associated data, or badly framed.
    /// </summary>
    public static byte[]? TryOpenPadded(AesGcm aes, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < Overhead || blob[0] != PaddedVersion)
        {
            return TryOpen(aes, associatedData, blob);
        }
        var framed = new byte[blob.Length - Overhead];
        try
        {
            aes.Decrypt(blob.Slice(1, NonceLength), blob[Overhead..], blob.Slice(1 + NonceLength, TagLength), framed, VersionedAssociatedData(associatedData));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        try
        {
            if (framed.Length < LengthPrefix)
            {
                return null;
            }
            var length = BinaryPrimitives.ReadInt32LittleEndian(framed);
            if (length < 0 || length > framed.Length - LengthPrefix || framed.AsSpan(LengthPrefix + length).ContainsAnyExcept((byte)0))
            {
                return null;
            }
            return framed.AsSpan(LengthPrefix, length).ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(framed);
        }
    }

    /// <summary>
    /// The sealed size of <paramref name="length"/> framed bytes: at least <see cref="MinimumPaddedLength"/>
    /// (so every contact handle, region and short note looks alike), above that rounded up by
    /// keeping only the top bits of the length ("Padmé": at most about 12% larger, and a length
    /// tells at most O(log log n) bits instead of O(log n)).
    /// </summary>
    public static int PaddedLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length <= MinimumPaddedLength)
        {
            return MinimumPaddedLength;
        }
        var exponent = BitOperations.Log2((uint)length);
        var exponentBits = BitOperations.Log2((uint)exponent) + 1;
        var dropped = exponent - exponentBits;
        var mask = (1L << dropped) - 1;
        return checked((int)((length + mask) & ~mask));
    }

    private static byte[] VersionedAssociatedData(ReadOnlySpan<byte> associatedData)
    {
        var versioned = new byte[1 + associatedData.Length];
        versioned[0] = PaddedVersion;
        associatedData.CopyTo(versioned.AsSpan(1));
        return versioned;
    }

    /// <summary>
    /// <c>hotline/v1 NUL request id NUL field</c>. Request ids and field names never hold a NUL, so no
    /// two (request, field) pairs share associated data.
    /// </summary>
    public static byte[] AssociatedData(string requestId, string field) =>
        Encoding.UTF8.GetBytes("hotline/v1\0" + requestId + "\0" + field);
}
