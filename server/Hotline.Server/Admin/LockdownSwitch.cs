using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Server.Access;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Admin;

/// <summary>
/// Lockdown: the key vault drops every key from memory (and remembers it is locked across
/// restarts), and every open watch stream ends. Tokens stay valid, so the hotline can resume
/// the moment an admin unlocks, but while locked the store serves no sealed data to anyone.
/// Erasing the keys cannot erase what the process read with them (messages, tokens, buffers the
/// runtime keeps), so a lockdown asked for through the admin socket then ends the process
/// (<see cref="ExitAfter"/>); its supervisor starts it again, locked, holding none of it.
/// </summary>
public sealed class LockdownSwitch(
    IKeyVault vault,
    SessionRegistry sessions,
    IOptions<LockdownOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<LockdownSwitch> logger)
{
    /// <summary>How long the process waits for the lockdown's response to be sent before it stops anyway.</summary>
    private static readonly TimeSpan ExitBackstop = TimeSpan.FromSeconds(5);

    private readonly Lock _unlockGate = new();
    private int _exitRequested;
    private int _unlocksRunning;
    private long _unlockEpoch;

    /// <summary>Raised by every unlock made here; see <see cref="FollowLockdown"/>.</summary>
    public long UnlockEpoch
    {
        get
        {
            lock (_unlockGate)
            {
                return _unlockEpoch;
            }
        }
    }

    public bool IsLocked => vault.IsLocked;

    /// <summary>True once a lockdown has asked the process to exit: the host is stopping, and the exit code says why.</summary>
    public bool ProcessExitRequested => Volatile.Read(ref _exitRequested) != 0;

    /// <returns>How many watch streams ended, and whether it was locked already.</returns>
    public async Task<(int EndedSessions, bool AlreadyLocked)> LockdownAsync(CancellationToken cancellationToken)
    {
        var already = vault.IsLocked;
        // Keys first: a stream still ending must not be able to read anything more. The vault drops
        // them even if recording the lockdown fails or the admin's call goes away meanwhile.
        await vault.LockAsync(OperatorCommand.AdministratorActor, cancellationToken).ConfigureAwait(false);
        var ended = sessions.EndAll(SessionEnd.LockedDown);
        ServerLog.LockedDown(logger, ended);
        return (ended, already);
    }

    /// <summary>
    /// After a lockdown has been persisted: stops the host once <paramref name="response"/> (the
    /// lockdown's answer to the admin) has been sent, so the admin learns it worked. The host stops
    /// gracefully: writes already queued finish, then the store closes. Called only after
    /// <see cref="LockdownAsync"/> returned; when recording the lock failed, exiting would bring the
    /// server back unlocked, so the process stays.
    /// </summary>
    /// <returns>False when <see cref="LockdownOptions.ExitProcess"/> is off.</returns>
    public bool ExitAfter(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!options.Value.ExitProcess || !vault.IsLocked)
        {
            return false;
        }
        if (Interlocked.Exchange(ref _exitRequested, 1) == 0)
        {
            ServerLog.ExitingAfterLockdown(logger, ExitCodes.LockedDown);
        }
        response.OnCompleted(() =>
        {
            lifetime.StopApplication();
            return Task.CompletedTask;
        });
        // An admin client that vanishes before reading the answer must not keep the process alive.
        _ = Task.Delay(ExitBackstop).ContinueWith(_ => lifetime.StopApplication(), TaskScheduler.Default);
        return true;
    }

    /// <summary>
    /// Another server on the shared database locked the installation down: behave as if it had been
    /// locked here. The keys go without a second record of the lockdown (the other server wrote
    /// it), every session ends, and the process exits as after a local lockdown, so that nothing it
    /// read stays in its memory; its supervisor starts it again, locked. Safe to call more than once.
    /// </summary>
    /// <param name="readAt">
    /// <see cref="UnlockEpoch"/> from before the database was read: when an unlock here has begun
    /// since, the read may predate it and is not acted on (the next read decides).
    /// </param>
    /// <returns>How many sessions it ended; null when it did nothing because an unlock here overlapped the read.</returns>
    public int? FollowLockdown(long readAt)
    {
        lock (_unlockGate)
        {
            if (_unlocksRunning > 0 || _unlockEpoch != readAt)
            {
                return null;
            }
            vault.DropKeys();
        }
        var ended = sessions.EndAll(SessionEnd.LockedDown);
        ServerLog.LockedDownElsewhere(logger, ended);
        if (options.Value.ExitProcess && Interlocked.Exchange(ref _exitRequested, 1) == 0)
        {
            ServerLog.ExitingAfterLockdown(logger, ExitCodes.LockedDown);
            lifetime.StopApplication();
        }
        return ended;
    }

    /// <returns>True when it ended a lockdown; false when there was none (the key was only checked).</returns>
    public async Task<bool> UnlockAsync(ReadOnlyMemory<byte> masterKey, CancellationToken cancellationToken)
    {
        var copy = masterKey.ToArray();
        lock (_unlockGate)
        {
            _unlocksRunning++;
            _unlockEpoch++;
        }
        try
        {
            var unlocked = await vault.UnlockAsync(copy, OperatorCommand.AdministratorActor, cancellationToken).ConfigureAwait(false);
            if (unlocked)
            {
                ServerLog.Unlocked(logger);
            }
            return unlocked;
        }
        finally
        {
            lock (_unlockGate)
            {
                _unlocksRunning--;
            }
            CryptographicOperations.ZeroMemory(copy);
        }
    }
}
