using Hotline.Domain;
using Hotline.Server.Access;

namespace Hotline.Server.Admin;

/// <summary>
/// Lockdown: the key vault drops every key from memory (and remembers it is locked across
/// restarts), and every open watch stream ends. Tokens stay valid, so the hotline can resume
/// the moment an admin unlocks, but while locked the store serves no sealed data to anyone.
/// </summary>
public sealed class LockdownSwitch(IKeyVault vault, SessionRegistry sessions, ILogger<LockdownSwitch> logger)
{
    public bool IsLocked => vault.IsLocked;

    /// <returns>How many watch streams ended, and whether it was locked already.</returns>
    public (int EndedSessions, bool AlreadyLocked) Lockdown()
    {
        var already = vault.IsLocked;
        // Keys first: a stream still ending must not be able to read anything more.
        vault.Lock();
        var ended = sessions.EndAll(SessionEnd.LockedDown);
        ServerLog.LockedDown(logger, ended);
        return (ended, already);
    }

    /// <returns>True when it ended a lockdown; false when there was none (the key was only checked).</returns>
    public bool Unlock(ReadOnlySpan<byte> masterKey)
    {
        var unlocked = vault.Unlock(masterKey);
        if (unlocked)
        {
            ServerLog.Unlocked(logger);
        }
        return unlocked;
    }
}
