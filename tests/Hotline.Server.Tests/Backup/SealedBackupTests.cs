using System.Security.Cryptography;
using Hotline.Server.Backup;

namespace Hotline.Server.Tests.Backup;

public sealed class SealedBackupTests
{
    private static readonly byte[] MasterKey = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] EpochKey = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public async Task SealThenOpen_SeveralChunks_GivesBackEveryByte()
    {
        var database = RandomNumberGenerator.GetBytes((3 * SealedBackup.ChunkSize) + 12345);
        var file = await SealAsync(database);

        var restored = await OpenAsync(file, EpochKey);

        Assert.Equal(database, restored);
        Assert.Equal(BackupHeader.Length + database.Length + (4 * 21), file.Length);
    }

    [Fact]
    public async Task ExactMultipleOfTheChunkSize_EndsWithAFinalFullChunk()
    {
        var database = RandomNumberGenerator.GetBytes(2 * SealedBackup.ChunkSize);
        Assert.Equal(database, await OpenAsync(await SealAsync(database), EpochKey));
    }

    [Fact]
    public async Task TwoChunksSwapped_AreRefused()
    {
        var database = RandomNumberGenerator.GetBytes(3 * SealedBackup.ChunkSize);
        var file = await SealAsync(database);
        var chunk = SealedBackup.ChunkSize + 21;
        var swapped = (byte[])file.Clone();
        file.AsSpan(BackupHeader.Length, chunk).CopyTo(swapped.AsSpan(BackupHeader.Length + chunk));
        file.AsSpan(BackupHeader.Length + chunk, chunk).CopyTo(swapped.AsSpan(BackupHeader.Length));

        var refused = await Assert.ThrowsAsync<BackupDamagedException>(() => OpenAsync(swapped, EpochKey));
        Assert.Contains("altered", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FinalChunkCutOff_IsRefusedAsTruncated()
    {
        var database = RandomNumberGenerator.GetBytes(2 * SealedBackup.ChunkSize + 10);
        var file = await SealAsync(database);

        var refused = await Assert.ThrowsAsync<BackupDamagedException>(() => OpenAsync(file[..(file.Length - 10 - 21)], EpochKey));
        Assert.Contains("truncated", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherEpochKey_DoesNotOpenIt()
    {
        var file = await SealAsync(RandomNumberGenerator.GetBytes(1000));
        await Assert.ThrowsAsync<BackupDamagedException>(() => OpenAsync(file, RandomNumberGenerator.GetBytes(32)));
    }

    [Fact]
    public void KeyRing_WrittenAndReadBack_OwnerOnly_AndRefusesAnotherMasterKey()
    {
        var path = Path.Combine(Path.GetTempPath(), "hotline-keys-" + Guid.NewGuid().ToString("N"));
        try
        {
            byte[] key;
            using (var ring = BackupKeyRing.Read(path, MasterKey))
            {
                (_, key, var created) = ring.KeyFor(7, TimeSpan.FromDays(30));
                Assert.True(created);
                key = [.. key];
                ring.Write(path, MasterKey);
            }
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
            using (var again = BackupKeyRing.Read(path, MasterKey))
            {
                var (keyId, found, created) = again.KeyFor(7, TimeSpan.FromDays(30));
                Assert.False(created);
                Assert.Equal(key, found);
                Assert.Equal(found, again.Find(7, TimeSpan.FromDays(30), keyId).Key);
                Assert.True(again.Find(7, TimeSpan.FromDays(30), new byte[BackupKeyRing.KeyIdLength]).OtherKeyForEpoch);
                Assert.Null(again.Find(7, TimeSpan.FromDays(1), keyId).Key);
            }
            var refused = Assert.Throws<BackupKeyFileException>(() => BackupKeyRing.Read(path, RandomNumberGenerator.GetBytes(32)));
            Assert.Contains("does not open with this master key", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void DestroyExpired_TakesEpochsOlderThanRetentionPlusOneEpoch_Only()
    {
        var epochs = new BackupEpochs(TimeSpan.FromDays(30), TimeSpan.FromDays(90));
        var now = epochs.Start(100) + TimeSpan.FromDays(1);
        using var ring = BackupKeyRing.Read(Path.Combine(Path.GetTempPath(), "absent-" + Guid.NewGuid().ToString("N")), MasterKey);
        foreach (var epoch in new long[] { 95, 96, 97, 100 })
        {
            ring.KeyFor(epoch, epochs.Length);
        }
        // A key made under one-day epochs that ended long ago: measured by its own length, not today's setting.
        ring.KeyFor(epochs.At(now - TimeSpan.FromDays(200)) * 30, TimeSpan.FromDays(1));

        var destroyed = ring.DestroyExpired(epochs.Retention, now);

        // Epoch 96 ends at the start of 97; 90 days (three epochs) later is the start of 100: gone. 97 lasts until the start of 101.
        Assert.Equal(3, destroyed.Count);
        Assert.Equal(new long[] { 97, 100 }, ring.Epochs);
        Assert.Empty(ring.DestroyExpired(retention: null, now + TimeSpan.FromDays(10_000)));
    }

    private static async Task<byte[]> SealAsync(byte[] database)
    {
        var header = new BackupHeader(3, TimeSpan.FromDays(30), new byte[BackupKeyRing.KeyIdLength], 42, 17, RandomNumberGenerator.GetBytes(32), DateTimeOffset.UtcNow,
            RandomNumberGenerator.GetBytes(BackupHeader.SaltLength));
        using var sink = new MemoryStream();
        await SealedBackup.SealAsync(header, EpochKey, MasterKey, new MemoryStream(database),
            (piece, cancellationToken) => sink.WriteAsync(piece, cancellationToken).AsTask(), CancellationToken.None).DefaultTimeout();
        return sink.ToArray();
    }

    private static async Task<byte[]> OpenAsync(byte[] file, byte[] epochKey)
    {
        using var source = new MemoryStream(file);
        var (_, headerBytes) = await SealedBackup.ReadHeaderAsync(source, CancellationToken.None);
        using var target = new MemoryStream();
        await SealedBackup.OpenAsync(headerBytes, epochKey, MasterKey, source, target, CancellationToken.None).DefaultTimeout();
        return target.ToArray();
    }
}
