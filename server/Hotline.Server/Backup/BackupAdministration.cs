using System.Security.Cryptography;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Mapping;
using Hotline.Storage;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Hotline.Server.Backup;

/// <summary>
/// Backups and the purge log, the one implementation both doors run (the admin socket of a running
/// server, the command line on a stopped one): refused while locked down, the master key read as
/// the server reads it (file, credential or the environment it was started with) and erased after use.
/// A store with nothing to copy (<paramref name="copy"/> null: PostgreSQL) refuses backups and says
/// what to use instead; the purge log is read from the audit trail and works with either store.
/// </summary>
public sealed class BackupAdministration(BackupMaker maker, Func<Stream, CancellationToken, Task<StoreSnapshot>>? copy, IAuditTrail audit,
    IKeyVault vault, Func<byte[]?> readMasterKey)
{
    public const string KeysUnreadable = "BACKUP_KEYS_UNREADABLE";

    /// <summary>The reason a backup is refused on a store this server does not copy.</summary>
    public const string UseDatabaseTools = "BACKUP_USE_DATABASE_TOOLS";

    /// <summary>Why a PostgreSQL installation is not backed up here, and what to do instead.</summary>
    public const string PostgresBackupAdvice =
        "This installation keeps its data in PostgreSQL, which Hotline does not copy: back it up with the database's own tools " +
        "(pg_dump, or pg_basebackup with WAL archiving) and keep the master key file's offline copy apart from those backups; " +
        "restore with pg_restore, then purge again what `purge-log` lists (docs/operations.md, \"Backups with PostgreSQL\").";
    private const int PurgeLogPage = 1_000;

    public BackupMaker Maker => maker;

    /// <summary>Takes a sealed backup, handing it to <paramref name="emit"/> piece by piece.</summary>
    public async Task<Contract.V1.BackupSummary> CreateBackupAsync(Func<ReadOnlyMemory<byte>, CancellationToken, Task> emit, CancellationToken cancellationToken)
    {
        // Before the master key is read or a backup key made: nothing is written for a backup that cannot be taken.
        var copyStore = copy ?? throw new DomainException(ErrorKind.FailedPrecondition, UseDatabaseTools, PostgresBackupAdvice);
        var masterKey = RequireMasterKey();
        try
        {
            var summary = await maker.MakeAsync(copyStore, masterKey, emit, cancellationToken);
            return ToContract(summary);
        }
        catch (BackupKeyFileException ex)
        {
            throw new DomainException(ErrorKind.FailedPrecondition, KeysUnreadable, ex.Message);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }
    }

    /// <summary>The retention pass's part: destroys expired backup keys; returns the epochs destroyed.</summary>
    public async Task<IReadOnlyList<string>> DestroyExpiredKeysAsync(CancellationToken cancellationToken)
    {
        var masterKey = RequireMasterKey();
        try
        {
            return await maker.DestroyExpiredAsync(masterKey, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }
    }

    /// <summary>
    /// Every purged request's name, a page at a time, from the PURGED audit records: a pass over the
    /// whole audit trail (an export, O(trail) by nature), holding one page in memory.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<string>> ExportPurgeLogAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (vault.IsLocked)
        {
            throw DomainException.LockedDown(write: false);
        }
        long after = 0;
        while (true)
        {
            var page = await audit.ListAuditAsync(null, after, PurgeLogPage, cancellationToken);
            var names = page.Records.Where(r => r.Action == Domain.AuditAction.Purged).SelectMany(r => r.RequestIds).Select(ContractMapping.RequestName).ToList();
            if (names.Count > 0)
            {
                yield return names;
            }
            if (page.NextAfterSequence is not { } next)
            {
                yield break;
            }
            after = next;
        }
    }

    private byte[] RequireMasterKey()
    {
        if (vault.IsLocked)
        {
            throw DomainException.LockedDown(write: false);
        }
        return readMasterKey() ?? throw new DomainException(ErrorKind.FailedPrecondition, KeysUnreadable,
            "No master key is configured, so no backup can be sealed.");
    }

    private static Contract.V1.BackupSummary ToContract(BackupSummary summary)
    {
        var contract = new Contract.V1.BackupSummary
        {
            Epoch = summary.Epoch,
            EpochName = summary.EpochName,
            ExpireTime = summary.ExpiresAt is { } expires ? Timestamp.FromDateTimeOffset(expires) : null,
            Revision = summary.Revision,
            AuditSequence = summary.AuditSequence,
            DatabaseBytes = summary.DatabaseBytes,
            KeyCreated = summary.KeyCreated,
            KeyFile = summary.KeyFile,
        };
        contract.DestroyedEpochs.AddRange(summary.DestroyedEpochs);
        return contract;
    }
}
