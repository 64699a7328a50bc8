namespace Hotline.Server.Backup;

/// <summary>Backups' settings, in the `Hotline:Backup` section (see docs/security.md, "Backups").</summary>
public sealed class BackupOptions : ICheckedOptions
{
    public const string Section = "Hotline:Backup";

    /// <summary>The file of backup keys, sealed under the master key; by default <c>backup-keys</c> in the data directory.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// How long one backup key is used before the next is made. An epoch's key is destroyed once
    /// the epoch is older than Hotline:RetentionDays plus one epoch, and with it every backup of it.
    /// </summary>
    public double EpochDays { get; set; } = 30;

    public IEnumerable<string> Problems()
    {
        // A hundredth of a second at least, so tests can make epochs pass; a year at most.
        if (!double.IsFinite(EpochDays) || EpochDays < 1e-7 || EpochDays > 366)
        {
            yield return $"{Section}:EpochDays must be a number of days above 0 and at most 366; it is {EpochDays}.";
        }
    }

    /// <summary>The key file's full path for <paramref name="dataDirectory"/>.</summary>
    public string KeyFilePath(string dataDirectory) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(KeyFile) ? Path.Combine(dataDirectory, BackupKeyRing.DefaultFileName) : KeyFile);

    /// <summary>The epochs as these settings and <paramref name="retentionDays"/> (0: retention off) define them.</summary>
    public BackupEpochs Epochs(double retentionDays) =>
        new(TimeSpan.FromDays(EpochDays), retentionDays > 0 ? TimeSpan.FromDays(retentionDays) : null);

    public static BackupOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<BackupOptions>() ?? new BackupOptions();
}

/// <summary>
/// Time cut into epochs of <see cref="Length"/> from the Unix epoch; epoch N starts at N x Length.
/// An epoch expires once it is older than the retention plus one epoch, measured from its start:
/// that is, retention after its end, when every request closed before its last backup was taken
/// has been purged from the live store. Without retention nothing expires.
/// </summary>
public sealed record BackupEpochs(TimeSpan Length, TimeSpan? Retention)
{
    public long At(DateTimeOffset time) => (long)Math.Floor((time - DateTimeOffset.UnixEpoch) / Length);

    /// <summary>The epoch's start; <see cref="DateTimeOffset.MaxValue"/> for an epoch number out of any calendar (a damaged file).</summary>
    public DateTimeOffset Start(long epoch)
    {
        try
        {
            return DateTimeOffset.UnixEpoch.AddTicks(checked(Length.Ticks * epoch));
        }
        catch (Exception ex) when (ex is OverflowException or ArgumentOutOfRangeException)
        {
            return DateTimeOffset.MaxValue;
        }
    }

    /// <summary>When the key of <paramref name="epoch"/> is destroyed; null when retention is off.</summary>
    public DateTimeOffset? ExpiresAt(long epoch)
    {
        if (Retention is not { } retention)
        {
            return null;
        }
        var end = Start(epoch + 1);
        return end > DateTimeOffset.MaxValue - retention ? DateTimeOffset.MaxValue : end + retention;
    }

    public bool Expired(long epoch, DateTimeOffset now) => ExpiresAt(epoch) is { } expires && now >= expires;

    /// <summary>The epoch's name in messages: its start, to the second when epochs are shorter than a day.</summary>
    public string Name(long epoch)
    {
        var start = Start(epoch).UtcDateTime;
        return Length >= TimeSpan.FromDays(1) ? $"epoch {epoch} (from {start:yyyy-MM-dd})" : $"epoch {epoch} (from {start:yyyy-MM-dd HH:mm:ss.fff} UTC)";
    }
}
