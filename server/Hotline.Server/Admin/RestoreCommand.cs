using System.Globalization;
using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Server.Backup;
using Hotline.Server.Mapping;
using Hotline.Server.Store;
using Hotline.Storage;
using Hotline.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Server.Admin;

/// <summary>
/// `Hotline.Server restore --from FILE --data-dir DIR`: puts a sealed backup into an empty (or
/// missing) data directory, checks it, and takes out again what must not come back, all before any
/// server can serve it. Each refusal has its own message and exit code, names no content, and
/// leaves the target as it found it.
/// </summary>
public static class RestoreCommand
{
    public const string Actor = "restore";

    public const string Usage = """
        Usage: Hotline.Server restore --from FILE --data-dir DIR [--backup-keys FILE] [--purge-log FILE]
                                      [--Hotline:Key value ...]
               Hotline.Server restore --after-pg-restore [--purge-log FILE] [--Hotline:Key value ...]

        Restores the sealed backup FILE (written by `Hotline.Server backup --out FILE`) into DIR,
        which must be empty or missing, with the master key as the server reads it
        (Hotline:MasterKeyFile, Hotline:MasterKeyCredential or HOTLINE_MASTER_KEY) and the backup
        key file (--backup-keys: the offline copy; by default Hotline:Backup:KeyFile if set).
        Then it checks the copy's audit chain up to the head the backup recorded, purges again every
        request named in --purge-log (written by `Hotline.Server purge-log --out FILE` on a surviving
        server), and applies retention (Hotline:RetentionDays). The server may then be started on DIR.

        With Hotline:Store postgres, the database is restored with PostgreSQL's own tools (pg_restore,
        a base backup), every server stopped; then
            Hotline.Server restore --after-pg-restore [--purge-log FILE] --Hotline:Store postgres ...
        checks the audit chain, purges again every request in FILE, applies retention and starts a
        new history, as a restore of a sealed backup does (docs/operations.md); --from is refused
        there (exit 4), and so is a run while any server is connected to the database (exit 1).

        Exit codes: 0 restored; 1 failed (a disk error, or a database that does not open); 2 usage;
        4 the installation uses PostgreSQL; 5 master key missing or wrong (it does not open the key file);
        8 the copy's audit chain does not verify to the recorded head; 11 DIR is not empty;
        12 the backup's epoch key was destroyed (past retention) or is not in the key file;
        13 the file is not a backup, is cut off, or was altered.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var (from, keys, purgeLog, afterPgRestore, help, configurationArguments, mistake) = Parse(args);
        if (help)
        {
            await output.WriteLineAsync(Usage);
            return 0;
        }
        var configuration = HotlineConfiguration.ForVerb(configurationArguments);
        var store = StoreOptions.From(configuration);
        if (mistake is null && store.UsesPostgres)
        {
            if (from is not null || !afterPgRestore)
            {
                // A sealed backup is a LiteDB file; PostgreSQL is restored with its own tools, then this finishes it.
                await error.WriteLineAsync("hotline-server: restore refused: " + BackupAdministration.PostgresBackupAdvice);
                return ExitCodes.ConfigurationError;
            }
            var retentionDays = (configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions()).RetentionDays;
            return await PostgresRestoration.RunAsync(store, purgeLog, retentionDays, output, error);
        }
        if (mistake is not null || from is null || afterPgRestore)
        {
            mistake ??= afterPgRestore ? "--after-pg-restore is for Hotline:Store postgres" : "restore needs --from FILE";
            await error.WriteLineAsync("hotline-server: " + mistake + "\n\n" + Usage);
            return ExitCodes.Usage;
        }
        var backup = BackupOptions.From(configuration);
        var retention = configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions();
        if (backup.Problems().Concat(retention.Problems()).FirstOrDefault() is { } problem)
        {
            await error.WriteLineAsync("hotline-server: " + problem);
            return ExitCodes.Usage;
        }
        var restore = new Restoration(Path.GetFullPath(store.DataDirectory), backup, retention.RetentionDays, output);
        byte[]? masterKey = null;
        try
        {
            masterKey = MasterKeyFile.Read(store) ?? throw MasterKeyException.Missing();
            return await restore.RunAsync(Path.GetFullPath(from), keys ?? backup.KeyFile, purgeLog, masterKey);
        }
        catch (RestoreRefusedException ex)
        {
            await error.WriteLineAsync("hotline-server: restore refused: " + ex.Message);
            return ex.ExitCode;
        }
        catch (Exception ex) when (ex is MasterKeyException or BackupKeyFileException)
        {
            await error.WriteLineAsync("hotline-server: restore refused: " + ex.Message);
            return ExitCodes.MasterKeyRefused;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A disk error, or a database inside an authentic backup that LiteDB cannot open. The target is
            // left as it was found (see Restoration); the message names files and types, never content.
            await error.WriteLineAsync($"hotline-server: restore failed ({ex.GetType().Name}): {ex.Message}");
            return ExitCodes.Refused;
        }
        finally
        {
            if (masterKey is not null)
            {
                CryptographicOperations.ZeroMemory(masterKey);
            }
        }
    }

    private static (string? From, string? Keys, string? PurgeLog, bool AfterPgRestore, bool Help, List<string> Configuration, string? Mistake) Parse(string[] args)
    {
        string? from = null, keys = null, purgeLog = null, mistake = null;
        var help = false;
        var afterPgRestore = false;
        var configuration = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                help = true;
            }
            else if (arg == "--after-pg-restore")
            {
                afterPgRestore = true;
            }
            else if (arg is "--from" or "--backup-keys" or "--purge-log" or "--data-dir" || (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':', StringComparison.Ordinal)))
            {
                if (i + 1 >= args.Length)
                {
                    mistake ??= $"{arg} needs a value";
                    break;
                }
                var value = args[++i];
                switch (arg)
                {
                    case "--from":
                        from = value;
                        break;
                    case "--backup-keys":
                        keys = value;
                        break;
                    case "--purge-log":
                        purgeLog = value;
                        break;
                    default:
                        configuration.Add(arg);
                        configuration.Add(value);
                        break;
                }
            }
            else
            {
                mistake ??= arg.StartsWith("--", StringComparison.Ordinal) ? $"unknown option {arg}" : $"unexpected argument {arg}";
            }
        }
        return (from, keys, purgeLog, afterPgRestore, help, configuration, mistake);
    }
}

/// <summary>A restore refused, with its exit code; the message names files and epochs, never content.</summary>
public sealed class RestoreRefusedException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The steps of one restore into <paramref name="dataDirectory"/>; see <see cref="RestoreCommand"/>.</summary>
internal sealed class Restoration(string dataDirectory, BackupOptions backup, double retentionDays, TextWriter output)
{
    private const string PartialName = LiteDbRequestStore.DatabaseFileName + ".restoring";

    public async Task<int> RunAsync(string from, string? keyFile, string? purgeLogFile, byte[] masterKey)
    {
        if (Directory.Exists(dataDirectory) && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new RestoreRefusedException(ExitCodes.RestoreTargetNotEmpty,
                $"{dataDirectory} is not empty. A restore goes only into an empty or missing data directory, so it never mixes with or replaces live data; " +
                "stop the server and move that directory aside first, or restore somewhere else.");
        }
        var purgeLog = ReadPurgeLog(purgeLogFile);
        var keys = KeyFileFor(keyFile);
        await using var source = OpenBackup(from);
        var (header, headerBytes) = await ReadHeaderAsync(source, from);
        using var ring = BackupKeyRing.Read(keys, masterKey);
        // Epochs as the backup was sealed, retention as configured now.
        var epochs = new BackupEpochs(header.EpochLength, backup.Epochs(retentionDays).Retention);
        ring.DestroyExpired(epochs.Retention, DateTimeOffset.UtcNow);
        var (epochKey, otherKey) = ring.Find(header.Epoch, header.EpochLength, header.KeyId.Span);
        if (epochKey is null)
        {
            var when = epochs.ExpiresAt(header.Epoch) is { } expires && expires <= DateTimeOffset.UtcNow
                ? string.Create(CultureInfo.InvariantCulture, $"; its key expired at {expires:yyyy-MM-dd HH:mm:ss} UTC (retention plus one epoch) and is destroyed")
                : "";
            throw new RestoreRefusedException(ExitCodes.BackupKeyDestroyed, otherKey
                ? $"{from} was sealed under a key of {epochs.Name(header.Epoch)} that {keys} does not hold: that key file belongs to another installation, or the key was made again."
                : $"the key of {epochs.Name(header.Epoch)}, which sealed {from}, is not in {keys}{when}. This backup can never be read again; restore a newer one.");
        }

        var created = !Directory.Exists(dataDirectory);
        OwnerOnlyFiles.EnsureDirectory(dataDirectory);
        var partial = Path.Combine(dataDirectory, PartialName);
        try
        {
            await using (var target = OwnerOnlyFiles.CreateNew(partial))
            {
                try
                {
                    await SealedBackup.OpenAsync(headerBytes, epochKey, masterKey, source, target, CancellationToken.None);
                }
                catch (BackupDamagedException ex)
                {
                    throw new RestoreRefusedException(ExitCodes.BackupDamaged, $"the backup {from} {ex.Message}. Nothing was restored.");
                }
                target.Flush(flushToDisk: true);
            }
            File.Move(partial, Path.Combine(dataDirectory, LiteDbRequestStore.DatabaseFileName));
            var (purged, retained) = await CheckAndPurgeAsync(header, from, purgeLog, masterKey);
            // Last: the purges above are part of the restored history, which the lost server never had.
            var newHistory = LiteDbRequestStore.BeginNewHistory(dataDirectory);
            var newKeys = backup.KeyFilePath(dataDirectory);
            if (!File.Exists(newKeys))
            {
                // The restored server goes on with the same keys (the expired ones already gone), so later backups share its epochs.
                ring.Write(newKeys, masterKey);
            }
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Restored {from} into {dataDirectory}: revision {header.Revision}, taken {header.CreateTime:yyyy-MM-dd HH:mm:ss} UTC; audit chain verified to record {header.AuditSequence}."));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Purged again: {purged} request(s) named in the purge log, {retained} closed request(s) past retention. Backup keys: {newKeys}."));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Start the server on this directory. Its revisions go on from {newHistory}, a new history: every watch stream that resumes from a revision of the old server gets a reset and a fresh snapshot."));
            return 0;
        }
        catch
        {
            // Leave the target as it was found: empty, or not there at all.
            foreach (var entry in Directory.EnumerateFileSystemEntries(dataDirectory))
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
            if (created)
            {
                Directory.Delete(dataDirectory);
            }
            throw;
        }
    }

    /// <summary>Opens the restored store, checks its chain ends at the recorded head, then purges what must not come back.</summary>
    private async Task<(int Purged, int Retained)> CheckAndPurgeAsync(BackupHeader header, string from, IReadOnlyList<string> purgeLog, byte[] masterKey)
    {
        using var store = LiteDbRequestStore.Open(dataDirectory, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance,
            NullLogger.Instance, masterKey);
        var verification = await store.VerifyAuditAsync(CancellationToken.None);
        var recorded = header.AuditSequence == 0 ? null
            : (await store.ListAuditAsync(null, header.AuditSequence - 1, 1, CancellationToken.None)).Records.FirstOrDefault();
        if (!verification.Intact || verification.HeadSequence < header.AuditSequence
            || (recorded is not null && (recorded.Sequence != header.AuditSequence || !recorded.Hash.Span.SequenceEqual(header.AuditHead.Span))))
        {
            var where = verification.Intact ? "the chain ends elsewhere" : string.Create(CultureInfo.InvariantCulture, $"it breaks at record {verification.Position}");
            throw new RestoreRefusedException(ExitCodes.AuditChainBroken, string.Create(CultureInfo.InvariantCulture,
                $"the audit chain in {from} does not verify to the head its header records (record {header.AuditSequence}): {where}. Nothing was restored."));
        }
        var purged = 0;
        foreach (var id in purgeLog)
        {
            if (await store.PurgeAsync(id, RestoreCommand.Actor, CancellationToken.None))
            {
                purged++;
            }
        }
        var retained = retentionDays > 0
            ? await store.PurgeClosedBeforeAsync(DateTimeOffset.UtcNow - TimeSpan.FromDays(retentionDays), RestoreCommand.Actor, CancellationToken.None)
            : 0;
        return (purged, retained);
    }

    private string KeyFileFor(string? keyFile)
    {
        if (string.IsNullOrWhiteSpace(keyFile))
        {
            throw new RestoreRefusedException(ExitCodes.Usage,
                "restore needs the backup key file: --backup-keys FILE (the offline copy kept with the master key), or Hotline:Backup:KeyFile.");
        }
        var full = Path.GetFullPath(keyFile);
        if (!File.Exists(full))
        {
            throw new RestoreRefusedException(ExitCodes.Usage, $"the backup key file {full} does not exist.");
        }
        return full;
    }

    private static FileStream OpenBackup(string from)
    {
        try
        {
            return new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RestoreRefusedException(ExitCodes.Usage, $"cannot read {from}: {ex.Message}");
        }
    }

    private static async Task<(BackupHeader, byte[])> ReadHeaderAsync(Stream source, string from)
    {
        try
        {
            return await SealedBackup.ReadHeaderAsync(source, CancellationToken.None);
        }
        catch (BackupDamagedException ex)
        {
            throw new RestoreRefusedException(ExitCodes.BackupDamaged, $"{from} {ex.Message}.");
        }
    }

    /// <summary>Request ids from a purge log: `requests/ID` or ID per line, blank lines and # comments skipped.</summary>
    internal static List<string> ReadPurgeLog(string? path)
    {
        if (path is null)
        {
            return [];
        }
        var ids = new List<string>();
        var line = 0;
        try
        {
            foreach (var raw in File.ReadLines(path))
            {
                line++;
                var text = raw.Trim();
                if (text.Length == 0 || text.StartsWith('#'))
                {
                    continue;
                }
                var name = text.StartsWith(ContractMapping.RequestPrefix, StringComparison.Ordinal) ? text : ContractMapping.RequestName(text);
                ids.Add(ContractMapping.ParseRequestName(name));
            }
        }
        catch (DomainException)
        {
            throw new RestoreRefusedException(ExitCodes.Usage, string.Create(CultureInfo.InvariantCulture,
                $"the purge log {path} line {line} is not a request name (requests/ID)."));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RestoreRefusedException(ExitCodes.Usage, $"cannot read the purge log {path}: {ex.Message}");
        }
        return ids;
    }
}

/// <summary>
/// `restore --after-pg-restore`: finishes a PostgreSQL database restored with the database's own
/// tools, as <see cref="Restoration"/> finishes a sealed backup: the audit chain checked, what the
/// purge log names purged again, retention applied, then a new history begun. Every server must be
/// stopped: one still running would go on from revisions of the old history.
/// </summary>
internal static class PostgresRestoration
{
    public static async Task<int> RunAsync(StoreOptions store, string? purgeLogFile, double retentionDays, TextWriter output, TextWriter error)
    {
        if (store.Problems().FirstOrDefault() is { } problem)
        {
            await error.WriteLineAsync("hotline-server: configuration error: " + problem);
            return ExitCodes.ConfigurationError;
        }
        var connectionString = store.Postgres.ConnectionString ?? "";
        byte[]? masterKey = null;
        try
        {
            var purgeLog = Restoration.ReadPurgeLog(purgeLogFile);
            if (await PostgresNewHistory.CountListeningServersAsync(connectionString, CancellationToken.None) is var listening and > 0)
            {
                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"hotline-server: restore refused: {listening} Hotline server(s) are connected to {store.DescribeStore()}; stop every server first, then run this again."));
                return ExitCodes.Refused;
            }
            masterKey = MasterKeyFile.Read(store) ?? throw MasterKeyException.Missing();
            int purged, retained;
            using (var lifetime = await StoreLifetime.OpenAsync(store, masterKey, TimeProvider.System, NoChangeListener.Instance,
                Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None))
            {
                var verification = await lifetime.Audit.VerifyAuditAsync(CancellationToken.None);
                if (!verification.Intact)
                {
                    await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"hotline-server: restore refused: the restored audit chain breaks at record {verification.Position}; nothing was purged or changed. Restore another backup."));
                    return ExitCodes.AuditChainBroken;
                }
                purged = 0;
                foreach (var id in purgeLog)
                {
                    if (await lifetime.Store.PurgeAsync(id, RestoreCommand.Actor, CancellationToken.None))
                    {
                        purged++;
                    }
                }
                retained = retentionDays > 0
                    ? await lifetime.Store.PurgeClosedBeforeAsync(DateTimeOffset.UtcNow - TimeSpan.FromDays(retentionDays), RestoreCommand.Actor, CancellationToken.None)
                    : 0;
            }
            // Last, as with a sealed backup: the purges above belong to the restored history.
            var newHistory = await PostgresNewHistory.BeginAsync(connectionString, CancellationToken.None);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Finished the restore of {store.DescribeStore()}: audit chain intact; purged again {purged} request(s) named in the purge log, {retained} closed request(s) past retention."));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Start the servers. Revisions go on from {newHistory}, a new history: every watch stream that resumes from a revision of the old one gets a reset and a fresh snapshot."));
            return 0;
        }
        catch (RestoreRefusedException ex)
        {
            await error.WriteLineAsync("hotline-server: restore refused: " + ex.Message);
            return ex.ExitCode;
        }
        catch (MasterKeyException ex)
        {
            await error.WriteLineAsync("hotline-server: restore refused: " + ex.Message);
            return ExitCodes.MasterKeyRefused;
        }
        catch (DatabaseUnavailableException ex)
        {
            await error.WriteLineAsync("hotline-server: " + ex.Message);
            return ExitCodes.DatabaseUnavailable;
        }
        finally
        {
            if (masterKey is not null)
            {
                CryptographicOperations.ZeroMemory(masterKey);
            }
        }
    }
}
