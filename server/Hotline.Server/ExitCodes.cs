namespace Hotline.Server;

/// <summary>
/// The process exit codes of the server and its verbs, in one table: scripts, systemd units and
/// monitoring tell refusals apart by them, so no two reasons share a number.
/// </summary>
public static class ExitCodes
{
    /// <summary>The admin command line's refusal (unknown id, locked down, purge without --yes, ...).</summary>
    public const int Refused = 1;

    /// <summary>The admin command line was called wrongly.</summary>
    public const int Usage = 2;

    public const int DataDirectoryInUse = 3;
    public const int ConfigurationError = 4;
    public const int MasterKeyRefused = 5;
    public const int PlaintextNotLoopback = 6;
    public const int CertificateUnusable = 7;

    /// <summary>`audit verify` found the chain edited, cut or reordered: distinct, so cron and monitoring can alert on it.</summary>
    public const int AuditChainBroken = 8;

    /// <summary>9, not 8: the admin command line's 8 means a broken audit chain.</summary>
    public const int AddressInUse = 9;

    /// <summary>
    /// The process ended itself after a lockdown (see <c>Hotline:Lockdown:ExitProcess</c>): not a
    /// failure; a supervisor starts it again, and it comes up locked.
    /// </summary>
    public const int LockedDown = 10;

    /// <summary>`restore` refuses a data directory that holds anything: it never mixes a backup into live data.</summary>
    public const int RestoreTargetNotEmpty = 11;

    /// <summary>
    /// `restore`: the backup's epoch key is gone (destroyed past retention, or absent from the key
    /// file given), so the backup can never be read again; by design, not a fault.
    /// </summary>
    public const int BackupKeyDestroyed = 12;

    /// <summary>`restore`: the file is not a backup, is cut off, or was altered (a chunk fails its AES-GCM tag).</summary>
    public const int BackupDamaged = 13;

    /// <summary>The PostgreSQL store's database cannot be reached or used (down, unreachable, login refused, missing).</summary>
    public const int DatabaseUnavailable = 14;
}
