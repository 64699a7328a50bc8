using System.Security.Cryptography;
using Hotline.Storage;

namespace Hotline.Server.Backup;

/// <summary>What a backup holds and which key epoch it belongs to; nothing of its content.</summary>
/// <param name="DatabaseBytes">The size of the copied database; the sealed file is this plus 21 bytes per MiB and its header.</param>
/// <param name="ExpiresAt">When the epoch's key, and so this backup, is destroyed; null without retention.</param>
/// <param name="KeyCreated">This backup began a new epoch: its key is new, and the offline copy of the key file lacks it.</param>
/// <param name="DestroyedEpochs">Epochs whose keys this backup's run destroyed, by name.</param>
public sealed record BackupSummary(long Epoch, string EpochName, DateTimeOffset? ExpiresAt, long Revision, long AuditSequence, long DatabaseBytes,
    bool KeyCreated, IReadOnlyList<string> DestroyedEpochs, string KeyFile);

/// <summary>
/// Makes sealed backups of one data directory and keeps its backup keys: the current epoch's key
/// is made at the epoch's first backup, expired keys are destroyed at every backup and retention
/// pass. The store is copied by its writer between two batches (<see cref="LiteDbRequestStore.CopyDatabaseAsync"/>)
/// into a scratch file in the data directory, which is then sealed chunk by chunk on its way out,
/// so neither the writer nor memory waits for the reader at the other end. One backup at a time.
/// </summary>
public sealed class BackupMaker(string dataDirectory, BackupOptions options, double retentionDays, TimeProvider time)
{
    public const string ScratchFileName = "backup-copy.tmp";

    private readonly SemaphoreSlim _one = new(1, 1);

    public string KeyFile => options.KeyFilePath(dataDirectory);

    public BackupEpochs Epochs => options.Epochs(retentionDays);

    /// <summary>Copies the store through <paramref name="copy"/>, seals the copy and hands the sealed file to <paramref name="emit"/> piece by piece.</summary>
    /// <exception cref="BackupKeyFileException">The key file does not open with <paramref name="masterKey"/>.</exception>
    public async Task<BackupSummary> MakeAsync(Func<Stream, CancellationToken, Task<StoreSnapshot>> copy, ReadOnlyMemory<byte> masterKey,
        Func<ReadOnlyMemory<byte>, CancellationToken, Task> emit, CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        var scratch = Path.Combine(dataDirectory, ScratchFileName);
        try
        {
            var now = time.GetUtcNow();
            var epochs = Epochs;
            var epoch = epochs.At(now);
            using var ring = BackupKeyRing.Read(KeyFile, masterKey.Span);
            var destroyed = ring.DestroyExpired(epochs.Retention, now);
            var (keyId, key, created) = ring.KeyFor(epoch, epochs.Length);
            if (created || destroyed.Count > 0)
            {
                // Written before any backup under the key exists, so no backup is ever sealed with a key that was not kept.
                ring.Write(KeyFile, masterKey.Span);
            }
            File.Delete(scratch);
            StoreSnapshot snapshot;
            await using (var file = OwnerOnlyFiles.CreateNew(scratch))
            {
                snapshot = await copy(file, cancellationToken).ConfigureAwait(false);
            }
            var header = new BackupHeader(epoch, epochs.Length, keyId, snapshot.Revision, snapshot.AuditSequence, snapshot.AuditHead, now,
                RandomNumberGenerator.GetBytes(BackupHeader.SaltLength));
            await using (var source = new FileStream(scratch, FileMode.Open, FileAccess.Read, FileShare.None, 1 << 16, useAsync: true))
            {
                await SealedBackup.SealAsync(header, key, masterKey, source, emit, cancellationToken).ConfigureAwait(false);
            }
            return new BackupSummary(epoch, epochs.Name(epoch), epochs.ExpiresAt(epoch), snapshot.Revision, snapshot.AuditSequence, snapshot.Bytes,
                created, destroyed, KeyFile);
        }
        finally
        {
            File.Delete(scratch);
            _one.Release();
        }
    }

    /// <summary>Destroys the keys of expired epochs (the retention pass calls this); returns their names.</summary>
    /// <exception cref="BackupKeyFileException">The key file does not open with <paramref name="masterKey"/>.</exception>
    public async Task<IReadOnlyList<string>> DestroyExpiredAsync(ReadOnlyMemory<byte> masterKey, CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!File.Exists(KeyFile))
            {
                return [];
            }
            var epochs = Epochs;
            using var ring = BackupKeyRing.Read(KeyFile, masterKey.Span);
            var destroyed = ring.DestroyExpired(epochs.Retention, time.GetUtcNow());
            if (destroyed.Count > 0)
            {
                ring.Write(KeyFile, masterKey.Span);
            }
            return destroyed;
        }
        finally
        {
            _one.Release();
        }
    }
}
