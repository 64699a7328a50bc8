namespace Hotline.Domain;

/// <summary>
/// Holds the master key that unwraps each request's data key, while the installation is unlocked.
/// Lockdown drops it from memory: sealed fields can then be neither read nor written until an
/// admin unlocks with the master key again. The locked state survives a restart.
/// </summary>
public interface IKeyVault
{
    bool IsLocked { get; }

    /// <summary>Drops the master key and every unwrapped data key from memory, and records the lockdown durably.</summary>
    void Lock();

    /// <summary>
    /// Takes the master key back after checking it against the one the data was sealed with;
    /// throws <see cref="DomainException"/> (PERMISSION_DENIED, reason MASTER_KEY_MISMATCH) when it is not.
    /// </summary>
    /// <returns>True when it ended a lockdown; false when it was not locked (the key was only checked).</returns>
    bool Unlock(ReadOnlySpan<byte> masterKey);
}
