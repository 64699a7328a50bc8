using Hotline.Domain;
using Hotline.Server.Access;

namespace Hotline.Server.Admin;

/// <summary>
/// The security state the store shares with other servers, or none: the store itself when it offers
/// <see cref="ISharedSecurityState"/> (PostgreSQL), null otherwise (LiteDB, one process's own).
/// </summary>
public sealed record SharedSecurity(ISharedSecurityState? State)
{
    public static SharedSecurity Of(IRequestStore store) => new(store as ISharedSecurityState);
}

/// <summary>
/// Makes what another server on the shared database decided bind this one: an account it changed
/// (disabled, token rotated or revoked, role) replaces this server's cached one and ends the
/// sessions the new record no longer accepts; a lockdown it recorded locks this server as a local
/// one would (keys dropped, sessions ended, the process exits). Woken by the database's notification
/// of a new security version, and at least every <see cref="ISharedSecurityState.ReReadInterval"/>
/// without one: a revoked token is refused here at once when the notification arrives, and within
/// that interval plus one read when it is lost. Does nothing when the store is not shared.
/// Also prunes the shared rate limiters' spent rows now and then.
/// </summary>
public sealed class SecurityStateFollower(
    SharedSecurity shared,
    OperatorDirectory directory,
    LockdownSwitch lockdown,
    TimeProvider time,
    ILogger<SecurityStateFollower> logger) : BackgroundService
{
    /// <summary>How often one server deletes refilled buckets and ended failure windows.</summary>
    public static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan FailureReportPeriod = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _turn = new(1, 1);
    private long _version;
    private long _reads;
    private long _lastPrune = time.GetTimestamp();
    private long? _lastFailureReport;

    /// <summary>The security version this server has taken everything up to.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>How many reads of the shared state succeeded; the first means the follower listens.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (shared.State is not { } state)
        {
            return;
        }
        ServerLog.FollowingSharedSecurity(logger, (int)state.ReReadInterval.TotalMilliseconds);
        await state.FollowAsync(RefreshAsync, stoppingToken);
    }

    /// <summary>
    /// Reads what changed since <see cref="Version"/> and applies it; one at a time. A read that
    /// fails is logged (at most every half minute) and left to the next wake-up.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (shared.State is not { } state)
        {
            return;
        }
        await _turn.WaitAsync(cancellationToken);
        try
        {
            var unlockEpoch = lockdown.UnlockEpoch;
            SecurityChanges changes;
            try
            {
                changes = await state.ReadChangesAsync(Version, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                ReportFailure(ex);
                return;
            }
            if (changes.Accounts.Count > 0)
            {
                var (taken, ended) = directory.TakeFromElsewhere(changes.Accounts);
                if (taken > 0)
                {
                    ServerLog.AccountsTakenFromElsewhere(logger, taken, changes.Version, ended);
                }
            }
            Interlocked.Exchange(ref _version, changes.Version);
            Interlocked.Increment(ref _reads);
            if (changes.Locked && !lockdown.IsLocked)
            {
                lockdown.FollowLockdown(unlockEpoch);
            }
            await PruneNowAndThenAsync(state, cancellationToken);
        }
        finally
        {
            _turn.Release();
        }
    }

    public override void Dispose()
    {
        _turn.Dispose();
        base.Dispose();
    }

    private async Task PruneNowAndThenAsync(ISharedSecurityState state, CancellationToken cancellationToken)
    {
        if (state.RateLimits is not { } limits || time.GetElapsedTime(_lastPrune) < PruneInterval)
        {
            return;
        }
        _lastPrune = time.GetTimestamp();
        try
        {
            await limits.PruneAsync(cancellationToken);
        }
        catch (SharedLimitUnavailableException ex)
        {
            ReportFailure(ex);
        }
    }

    private void ReportFailure(Exception ex)
    {
        var now = time.GetTimestamp();
        if (_lastFailureReport is { } last && time.GetElapsedTime(last, now) < FailureReportPeriod)
        {
            return;
        }
        _lastFailureReport = now;
        ServerLog.SecurityStateUnreadable(logger, FailureDescription.TypeOf(ex));
    }
}
