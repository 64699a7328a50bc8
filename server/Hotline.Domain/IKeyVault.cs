namespace Hotline.Domain;

/// <summary>
/// Holds the master key that unwraps each request's data key, while the installation is unlocked.
/// Lockdown drops it from memory: sealed fields can then be neither read nor written until an
/// admin unlocks with the master key again. The locked state survives a restart.
/// </summary>
public interface IKeyVault
{
    bool IsLocked { get; }

    /// <summary>
    /// Records the lockdown durably (naming <paramref name="actor"/>) and drops the master key and every
    /// unwrapped data key from memory. The keys are dropped even when recording fails, times out or
    /// <paramref name="cancellationToken"/> fires; the exception then says the lockdown holds only
    /// until the process ends.
    /// </summary>
    Task LockAsync(string actor, CancellationToken cancellationToken);

    /// <summary>
    /// Drops the keys from memory without recording anything: for a lockdown another server sharing
    /// the database has already recorded. Safe to call more than once.
    /// </summary>
    void DropKeys();

    /// <summary>
    /// Takes the master key back after checking it against the one the data was sealed with, and
    /// records the unlock; throws <see cref="DomainException"/> (PERMISSION_DENIED, reason
    /// MASTER_KEY_MISMATCH) when it is not. The caller keeps <paramref name="masterKey"/> and erases it.
    /// </summary>
    /// <returns>True when it ended a lockdown; false when it was not locked (the key was only checked).</returns>
    Task<bool> UnlockAsync(byte[] masterKey, string actor, CancellationToken cancellationToken);
}
