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

    private int _exitRequested;

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

    /// <returns>True when it ended a lockdown; false when there was none (the key was only checked).</returns>
    public async Task<bool> UnlockAsync(ReadOnlyMemory<byte> masterKey, CancellationToken cancellationToken)
    {
        var copy = masterKey.ToArray();
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
            CryptographicOperations.ZeroMemory(copy);
        }
    }
}
