using System.Globalization;
using System.Text;
using Hotline.Server.Backup;

namespace Hotline.Server.Admin;

/// <summary>`backup --out FILE` and `purge-log --out FILE`, through whichever backend the admin command line connected to.</summary>
internal static class BackupCommands
{
    public static async Task<int> BackupAsync(string path, IAdminBackend backend, TextWriter output, TextWriter error)
    {
        long sealedBytes = 0;
        Contract.V1.BackupSummary summary;
        try
        {
            summary = await BackupFiles.WriteNewAsync(path, emit => backend.CreateBackupAsync(async (piece, cancellationToken) =>
            {
                sealedBytes += piece.Length;
                await emit(piece, cancellationToken);
            }));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"hotline-server: backup refused: {ex.Message}.");
            return ExitCodes.Refused;
        }
        var full = Path.GetFullPath(path);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Backup written to {full}: {sealedBytes / 1048576.0:F1} MB sealed, revision {summary.Revision}, audit record {summary.AuditSequence}, {summary.EpochName}."));
        await output.WriteLineAsync(summary.ExpireTime is { } expires
            ? string.Create(CultureInfo.InvariantCulture, $"It can be restored until {expires.ToDateTimeOffset():yyyy-MM-dd HH:mm} UTC, when its epoch's key is destroyed (retention plus one epoch).")
            : "Retention is off (Hotline:RetentionDays 0), so its key is never destroyed and it stays readable as long as the key file exists.");
        if (summary.KeyCreated)
        {
            await output.WriteLineAsync($"NEW BACKUP KEY: this backup began {summary.EpochName}. Copy {summary.KeyFile} to where the master key is kept offline now; " +
                "without that copy this backup cannot be restored after losing this machine.");
        }
        foreach (var destroyed in summary.DestroyedEpochs)
        {
            await output.WriteLineAsync($"Destroyed the key of {destroyed}: its backups are unreadable now. Replace every offline copy of the key file with {summary.KeyFile}.");
        }
        return 0;
    }

    public static async Task<int> ExportPurgeLogAsync(string path, IAdminBackend backend, TextWriter output, TextWriter error)
    {
        var count = 0;
        try
        {
            await BackupFiles.WriteNewAsync(path, async emit =>
            {
                await emit(Encoding.UTF8.GetBytes("# Hotline purge log: requests purged for good; `restore --purge-log` purges them again.\n"), CancellationToken.None);
                await foreach (var page in backend.ExportPurgeLogAsync())
                {
                    count += page.Count;
                    await emit(Encoding.UTF8.GetBytes(string.Concat(page.Select(name => name + "\n"))), CancellationToken.None);
                }
                return count;
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"hotline-server: purge-log refused: {ex.Message}.");
            return ExitCodes.Refused;
        }
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Purge log written to {Path.GetFullPath(path)}: {count} purged request(s)."));
        return 0;
    }
}
