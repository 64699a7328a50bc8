using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Hotline.Server.Backup;

/// <summary>
/// The clear header of a backup file: enough to say what it is and which key opens it, nothing of
/// its content. Every byte of it is authenticated with each chunk, so an edited header is refused
/// like an edited chunk.
/// </summary>
/// <param name="Epoch">The key epoch whose key sealed the file (see <see cref="BackupEpochs"/>).</param>
/// <param name="EpochLength">The length of epochs when it was sealed, so the epoch means the same whatever the settings are later.</param>
/// <param name="KeyId">Which key of that epoch: tells a key file of another installation from a destroyed key.</param>
/// <param name="Revision">The store revision the copy was taken at.</param>
/// <param name="AuditSequence">The newest audit record in the copy.</param>
/// <param name="AuditHead">That record's hash; a restore checks the copy's chain ends there.</param>
/// <param name="CreateTime">When the copy was taken.</param>
/// <param name="Salt">Random per file: each file is sealed under a key of its own.</param>
public sealed record BackupHeader(long Epoch, TimeSpan EpochLength, ReadOnlyMemory<byte> KeyId, long Revision, long AuditSequence, ReadOnlyMemory<byte> AuditHead,
    DateTimeOffset CreateTime, ReadOnlyMemory<byte> Salt)
{
    public const int FormatVersion = 1;
    public const int Length = 8 + 2 + 8 + 8 + BackupKeyRing.KeyIdLength + 8 + 8 + 1 + MaxHeadLength + 8 + SaltLength;
    public const int SaltLength = 32;
    private const int MaxHeadLength = 64;

    private static ReadOnlySpan<byte> Magic => "HLBACKUP"u8;

    public byte[] ToBytes()
    {
        if (AuditHead.Length > MaxHeadLength || KeyId.Length != BackupKeyRing.KeyIdLength || Salt.Length != SaltLength)
        {
            throw new ArgumentException("The header's audit head, key id or salt has the wrong length.");
        }
        var bytes = new byte[Length];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], FormatVersion);
        var at = 10;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], Epoch);
        at += 8;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], EpochLength.Ticks);
        at += 8;
        KeyId.Span.CopyTo(span[at..]);
        at += BackupKeyRing.KeyIdLength;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], Revision);
        at += 8;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], AuditSequence);
        at += 8;
        span[at++] = (byte)AuditHead.Length;
        AuditHead.Span.CopyTo(span[at..]);
        at += MaxHeadLength;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], CreateTime.ToUnixTimeMilliseconds());
        at += 8;
        Salt.Span.CopyTo(span[at..]);
        return bytes;
    }

    /// <exception cref="BackupDamagedException">Not a Hotline backup, or of a format this version does not read.</exception>
    public static BackupHeader Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 10 || !bytes[..8].SequenceEqual(Magic))
        {
            throw new BackupDamagedException("is not a Hotline backup (its first bytes are not a backup header)");
        }
        var version = BinaryPrimitives.ReadUInt16BigEndian(bytes[8..]);
        if (version != FormatVersion)
        {
            throw new BackupDamagedException($"is a backup of format {version}; this server reads format {FormatVersion}");
        }
        if (bytes.Length < Length)
        {
            throw new BackupDamagedException("is truncated: it ends inside its header");
        }
        var at = 10;
        var epoch = BinaryPrimitives.ReadInt64BigEndian(bytes[at..]);
        at += 8;
        var epochLength = BinaryPrimitives.ReadInt64BigEndian(bytes[at..]);
        at += 8;
        if (epochLength <= 0)
        {
            throw new BackupDamagedException("has a damaged header");
        }
        var keyId = bytes.Slice(at, BackupKeyRing.KeyIdLength).ToArray();
        at += BackupKeyRing.KeyIdLength;
        var revision = BinaryPrimitives.ReadInt64BigEndian(bytes[at..]);
        at += 8;
        var sequence = BinaryPrimitives.ReadInt64BigEndian(bytes[at..]);
        at += 8;
        var headLength = bytes[at++];
        if (headLength > MaxHeadLength)
        {
            throw new BackupDamagedException("has a damaged header");
        }
        var head = bytes.Slice(at, headLength).ToArray();
        at += MaxHeadLength;
        var created = BinaryPrimitives.ReadInt64BigEndian(bytes[at..]);
        at += 8;
        var salt = bytes.Slice(at, SaltLength).ToArray();
        DateTimeOffset time;
        try
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds(created);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new BackupDamagedException("has a damaged header");
        }
        return new BackupHeader(epoch, TimeSpan.FromTicks(epochLength), keyId, revision, sequence, head, time, salt);
    }
}

/// <summary>
/// The sealed body of a backup: the database file in chunks of <see cref="ChunkSize"/>, each sealed
/// with AES-GCM under a key of the file's own, derived from the epoch key and the master key (so the
/// file is useless without both) and its random salt. Each chunk's nonce is its index and its
/// associated data binds the header, the index, its length and whether it is the last: chunks cannot
/// be reordered, dropped, repeated or cut off, and a file that ends before its final chunk is refused.
/// Neither side ever holds more than one chunk.
/// </summary>
public static class SealedBackup
{
    public const int ChunkSize = 1 << 20;
    private const int TagSize = 16;
    private const int ChunkPrefix = 5;

    private static ReadOnlySpan<byte> KeyInfo => "hotline backup file v1"u8;

    /// <summary>Writes <paramref name="header"/>, then <paramref name="source"/> to its end sealed chunk by chunk, each through <paramref name="emit"/>.</summary>
    public static async Task SealAsync(BackupHeader header, ReadOnlyMemory<byte> epochKey, ReadOnlyMemory<byte> masterKey, Stream source,
        Func<ReadOnlyMemory<byte>, CancellationToken, Task> emit, CancellationToken cancellationToken)
    {
        var headerBytes = header.ToBytes();
        await emit(headerBytes, cancellationToken).ConfigureAwait(false);
        using var aes = new AesGcm(FileKey(epochKey.Span, masterKey.Span, header.Salt.Span), TagSize);
        var headerHash = SHA256.HashData(headerBytes);
        var plain = new byte[ChunkSize];
        var next = new byte[ChunkSize];
        var sealedChunk = new byte[ChunkPrefix + ChunkSize + TagSize];
        var length = await FillAsync(source, plain, cancellationToken).ConfigureAwait(false);
        for (long index = 0; ; index++)
        {
            // One chunk ahead, so the last chunk knows it is the last (an empty file is one empty, final chunk).
            var nextLength = length == ChunkSize ? await FillAsync(source, next, cancellationToken).ConfigureAwait(false) : 0;
            var final = length < ChunkSize || nextLength == 0;
            BinaryPrimitives.WriteUInt32BigEndian(sealedChunk, (uint)length);
            sealedChunk[4] = final ? (byte)1 : (byte)0;
            aes.Encrypt(Nonce(index), plain.AsSpan(0, length), sealedChunk.AsSpan(ChunkPrefix, length),
                sealedChunk.AsSpan(ChunkPrefix + length, TagSize), Associated(headerHash, index, length, final));
            await emit(sealedChunk.AsMemory(0, ChunkPrefix + length + TagSize), cancellationToken).ConfigureAwait(false);
            if (final)
            {
                break;
            }
            (plain, next) = (next, plain);
            length = nextLength;
        }
        CryptographicOperations.ZeroMemory(plain);
        CryptographicOperations.ZeroMemory(next);
    }

    /// <summary>Reads the clear header at the start of <paramref name="source"/>.</summary>
    /// <exception cref="BackupDamagedException">Not a backup, or cut off inside its header.</exception>
    public static async Task<(BackupHeader Header, byte[] Bytes)> ReadHeaderAsync(Stream source, CancellationToken cancellationToken)
    {
        var bytes = new byte[BackupHeader.Length];
        var read = await FillAsync(source, bytes, cancellationToken).ConfigureAwait(false);
        return (BackupHeader.Parse(bytes.AsSpan(0, read)), bytes);
    }

    /// <summary>Opens the chunks after the header into <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="BackupDamagedException">A chunk fails its tag (edited, reordered, wrong key), or the file is cut off or runs on past its final chunk.</exception>
    public static async Task<long> OpenAsync(byte[] headerBytes, ReadOnlyMemory<byte> epochKey, ReadOnlyMemory<byte> masterKey, Stream source,
        Stream destination, CancellationToken cancellationToken)
    {
        var header = BackupHeader.Parse(headerBytes);
        using var aes = new AesGcm(FileKey(epochKey.Span, masterKey.Span, header.Salt.Span), TagSize);
        var headerHash = SHA256.HashData(headerBytes);
        var prefix = new byte[ChunkPrefix];
        var sealedChunk = new byte[ChunkSize + TagSize];
        var plain = new byte[ChunkSize];
        long written = 0;
        try
        {
            for (long index = 0; ; index++)
            {
                if (await FillAsync(source, prefix, cancellationToken).ConfigureAwait(false) < ChunkPrefix)
                {
                    throw new BackupDamagedException("is truncated: it ends before its final chunk");
                }
                var length = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(prefix), int.MaxValue);
                var final = prefix[4] == 1;
                if (length > ChunkSize || prefix[4] > 1)
                {
                    throw new BackupDamagedException($"is damaged: chunk {index} has an impossible length or marker");
                }
                if (await FillAsync(source, sealedChunk.AsMemory(0, length + TagSize), cancellationToken).ConfigureAwait(false) < length + TagSize)
                {
                    throw new BackupDamagedException("is truncated: it ends inside a chunk");
                }
                try
                {
                    aes.Decrypt(Nonce(index), sealedChunk.AsSpan(0, length), sealedChunk.AsSpan(length, TagSize), plain.AsSpan(0, length),
                        Associated(headerHash, index, length, final));
                }
                catch (AuthenticationTagMismatchException)
                {
                    throw new BackupDamagedException(index == 0
                        ? "does not open: its header or first chunk was altered, or it was sealed by another installation's keys"
                        : $"is damaged: chunk {index} was altered (its AES-GCM tag does not match)");
                }
                await destination.WriteAsync(plain.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                written += length;
                if (final)
                {
                    if (await source.ReadAsync(prefix.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
                    {
                        throw new BackupDamagedException("is damaged: bytes follow its final chunk");
                    }
                    return written;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static byte[] FileKey(ReadOnlySpan<byte> epochKey, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> salt)
    {
        var material = new byte[epochKey.Length + masterKey.Length];
        try
        {
            epochKey.CopyTo(material);
            masterKey.CopyTo(material.AsSpan(epochKey.Length));
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, salt.ToArray(), KeyInfo.ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private static byte[] Nonce(long index)
    {
        var nonce = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), index);
        return nonce;
    }

    private static byte[] Associated(byte[] headerHash, long index, int length, bool final)
    {
        var data = new byte[headerHash.Length + 8 + 4 + 1];
        headerHash.CopyTo(data, 0);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(headerHash.Length), index);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(headerHash.Length + 8), length);
        data[^1] = final ? (byte)1 : (byte)0;
        return data;
    }

    private static async Task<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await source.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            filled += read;
        }
        return filled;
    }
}

/// <summary>The backup file is not one, is cut off, or was altered; the message completes "The backup FILE …" and names no content.</summary>
public sealed class BackupDamagedException(string message) : Exception(message);
