using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Hotline.Server.Backup;

/// <summary>
/// The backup keys, one random key per epoch, in one file sealed with AES-GCM under a key derived
/// from the master key: a copy of the file alone opens nothing. The server creates the current
/// epoch's key at its first backup and destroys expired ones (at each backup and each retention
/// pass) by rewriting the file without them (temp file, fsync, rename). The operator keeps a copy
/// offline with the master key, refreshed when a key is made or destroyed (docs/operations.md).
/// Not thread-safe: the server serialises its use (<see cref="BackupMaker"/>).
/// </summary>
public sealed class BackupKeyRing : IDisposable
{
    public const string DefaultFileName = "backup-keys";
    public const int KeyIdLength = 8;
    private const int KeyLength = 32;
    private const int EntryLength = 8 + 8 + KeyIdLength + KeyLength;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    private readonly List<Entry> _entries;

    private BackupKeyRing(List<Entry> entries) => _entries = entries;

    private static ReadOnlySpan<byte> Magic => "HLBKEYS1"u8;

    private static ReadOnlySpan<byte> SealInfo => "hotline backup keys v1"u8;

    public IReadOnlyList<long> Epochs => [.. _entries.Select(e => e.Epoch)];

    /// <summary>Reads the ring at <paramref name="path"/>; a missing file is an empty ring.</summary>
    /// <exception cref="BackupKeyFileException">The file does not open with <paramref name="masterKey"/> (wrong key, or the file was altered).</exception>
    public static BackupKeyRing Read(string path, ReadOnlySpan<byte> masterKey)
    {
        if (!File.Exists(path))
        {
            return new BackupKeyRing([]);
        }
        var bytes = File.ReadAllBytes(path);
        var body = bytes.Length - Magic.Length - NonceLength - TagLength;
        if (body < 2 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new BackupKeyFileException($"The backup key file {path} is not one (or was cut off).");
        }
        var plain = new byte[body];
        try
        {
            using var aes = new AesGcm(SealingKey(masterKey), TagLength);
            try
            {
                aes.Decrypt(bytes.AsSpan(Magic.Length, NonceLength), bytes.AsSpan(Magic.Length + NonceLength, body), bytes.AsSpan(bytes.Length - TagLength),
                    plain, Magic);
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new BackupKeyFileException(
                    $"The backup key file {path} does not open with this master key: the master key is wrong, or the file was altered.");
            }
            var count = BinaryPrimitives.ReadUInt16BigEndian(plain);
            if (2 + (count * EntryLength) != plain.Length)
            {
                throw new BackupKeyFileException($"The backup key file {path} is damaged.");
            }
            var entries = new List<Entry>(count);
            for (var i = 0; i < count; i++)
            {
                var at = 2 + (i * EntryLength);
                var length = BinaryPrimitives.ReadInt64BigEndian(plain.AsSpan(at + 8));
                if (length <= 0)
                {
                    throw new BackupKeyFileException($"The backup key file {path} is damaged.");
                }
                entries.Add(new Entry(BinaryPrimitives.ReadInt64BigEndian(plain.AsSpan(at)), TimeSpan.FromTicks(length),
                    plain.AsSpan(at + 16, KeyIdLength).ToArray(), plain.AsSpan(at + 16 + KeyIdLength, KeyLength).ToArray()));
            }
            return new BackupKeyRing(entries);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>The key of <paramref name="epoch"/> (of <paramref name="length"/>), made (random) if the ring has none yet.</summary>
    /// <returns>The key id and key (owned by the ring: valid until it is disposed), and whether it was just made.</returns>
    public (byte[] KeyId, byte[] Key, bool Created) KeyFor(long epoch, TimeSpan length)
    {
        if (_entries.Find(e => e.Epoch == epoch && e.Length == length) is { } existing)
        {
            return (existing.KeyId, existing.Key, false);
        }
        var entry = new Entry(epoch, length, RandomNumberGenerator.GetBytes(KeyIdLength), RandomNumberGenerator.GetBytes(KeyLength));
        _entries.Add(entry);
        return (entry.KeyId, entry.Key, true);
    }

    /// <summary>The key that sealed a backup of <paramref name="epoch"/> (of <paramref name="length"/>) with <paramref name="keyId"/>.</summary>
    /// <returns>The key, or null with whether the ring holds another key for that epoch (another installation's file).</returns>
    public (byte[]? Key, bool OtherKeyForEpoch) Find(long epoch, TimeSpan length, ReadOnlySpan<byte> keyId)
    {
        var entry = _entries.Find(e => e.Epoch == epoch && e.Length == length);
        if (entry is null)
        {
            return (null, false);
        }
        return entry.KeyId.AsSpan().SequenceEqual(keyId) ? (entry.Key, false) : (null, true);
    }

    /// <summary>
    /// Removes (and erases) the keys of every epoch expired under <paramref name="retention"/>, each
    /// epoch measured with its own length (so changing Hotline:Backup:EpochDays never misdates an old key).
    /// </summary>
    /// <returns>The names of the epochs destroyed.</returns>
    public IReadOnlyList<string> DestroyExpired(TimeSpan? retention, DateTimeOffset now)
    {
        var expired = _entries.Where(e => new BackupEpochs(e.Length, retention).Expired(e.Epoch, now)).ToList();
        foreach (var entry in expired)
        {
            CryptographicOperations.ZeroMemory(entry.Key);
            _entries.Remove(entry);
        }
        return [.. expired.Select(e => new BackupEpochs(e.Length, retention).Name(e.Epoch))];
    }

    /// <summary>Writes the ring to <paramref name="path"/> owner-only: a temp file beside it, synced, then renamed over it.</summary>
    public void Write(string path, ReadOnlySpan<byte> masterKey)
    {
        var plain = new byte[2 + (_entries.Count * EntryLength)];
        var sealedFile = new byte[Magic.Length + NonceLength + plain.Length + TagLength];
        try
        {
            BinaryPrimitives.WriteUInt16BigEndian(plain, checked((ushort)_entries.Count));
            for (var i = 0; i < _entries.Count; i++)
            {
                var at = 2 + (i * EntryLength);
                BinaryPrimitives.WriteInt64BigEndian(plain.AsSpan(at), _entries[i].Epoch);
                BinaryPrimitives.WriteInt64BigEndian(plain.AsSpan(at + 8), _entries[i].Length.Ticks);
                _entries[i].KeyId.CopyTo(plain, at + 16);
                _entries[i].Key.CopyTo(plain, at + 16 + KeyIdLength);
            }
            Magic.CopyTo(sealedFile);
            RandomNumberGenerator.Fill(sealedFile.AsSpan(Magic.Length, NonceLength));
            using (var aes = new AesGcm(SealingKey(masterKey), TagLength))
            {
                aes.Encrypt(sealedFile.AsSpan(Magic.Length, NonceLength), plain, sealedFile.AsSpan(Magic.Length + NonceLength, plain.Length),
                    sealedFile.AsSpan(sealedFile.Length - TagLength), Magic);
            }
            AtomicFile.Write(path, sealedFile);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public void Dispose()
    {
        foreach (var entry in _entries)
        {
            CryptographicOperations.ZeroMemory(entry.Key);
        }
    }

    private static byte[] SealingKey(ReadOnlySpan<byte> masterKey) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey.ToArray(), 32, [], SealInfo.ToArray());

    private sealed record Entry(long Epoch, TimeSpan Length, byte[] KeyId, byte[] Key);
}

/// <summary>The backup key file does not open: wrong master key, or altered; the message says which file, never key material.</summary>
public sealed class BackupKeyFileException(string message) : Exception(message);

/// <summary>Owner-only files replaced whole: a reader sees the old file or the new one, never half of one.</summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var full = Path.GetFullPath(path);
        OwnerOnlyFiles.EnsureDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        File.Delete(temp);
        using (var file = OwnerOnlyFiles.CreateNew(temp))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, full, overwrite: true);
    }
}
