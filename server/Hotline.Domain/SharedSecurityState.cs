namespace Hotline.Domain;

/// <summary>
/// Security state that several servers on one database share, offered by a store that can be shared
/// (the PostgreSQL store; the LiteDB store is one process's and offers none). Accounts and the lock
/// are rows every server reads; each write of either raises one installation-wide security version
/// in the same transaction, so "what changed since version V" is a cheap read, and the database
/// notifies listeners with the new version (nothing else) when such a write commits.
/// </summary>
public interface ISharedSecurityState
{
    /// <summary>
    /// The installation's lock state and every account written after <paramref name="sinceVersion"/>,
    /// read from one snapshot, with the version that snapshot is at: pass it as the next
    /// <paramref name="sinceVersion"/> and no account write is missed or read twice.
    /// </summary>
    Task<SecurityChanges> ReadChangesAsync(long sinceVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="onWake"/> whenever another server may have changed the security state:
    /// on a notification, on every reconnect of the listening connection, and at least every
    /// <see cref="ReReadInterval"/> without one, so a lost notification costs latency, never a
    /// change. Returns when <paramref name="cancellationToken"/> fires.
    /// </summary>
    Task FollowAsync(Func<CancellationToken, Task> onWake, CancellationToken cancellationToken);

    /// <summary>The longest <see cref="FollowAsync"/> goes without calling back while the database answers.</summary>
    TimeSpan ReReadInterval { get; }

    /// <summary>Rate limits every server shares; null when the store cannot offer them (it was opened locked, without the master key their keys derive from).</summary>
    ISharedRateLimits? RateLimits { get; }
}

/// <summary>What <see cref="ISharedSecurityState.ReadChangesAsync"/> found.</summary>
/// <param name="Version">The security version of the snapshot read.</param>
/// <param name="Locked">Whether the installation is locked down.</param>
/// <param name="Accounts">Every account written after the version asked about, oldest write first.</param>
public sealed record SecurityChanges(long Version, bool Locked, IReadOnlyList<OperatorRecord> Accounts);

/// <summary>
/// Rate-limit state kept in the shared database, so that several servers enforce one limit instead
/// of one each. Keys are stored only as keyed hashes: the database never holds an address or a
/// caller id in a limiter's table. Every method is one round trip and thread-safe.
/// </summary>
public interface ISharedRateLimits
{
    /// <summary>
    /// Takes one token from each of <paramref name="buckets"/>, or from none when any lacks one,
    /// atomically across every server (a refused call leaves every bucket as it was, refilled).
    /// </summary>
    /// <exception cref="SharedLimitUnavailableException">The database did not answer.</exception>
    Task<SharedTake> TakeAsync(IReadOnlyList<SharedBucket> buckets, CancellationToken cancellationToken);

    /// <summary>
    /// Counts one failure of <paramref name="scope"/>/<paramref name="key"/> in a fixed window of
    /// <paramref name="window"/> that begins with its first failure. Synchronous: authentication is,
    /// and it runs only for calls that failed.
    /// </summary>
    /// <exception cref="SharedLimitUnavailableException">The database did not answer.</exception>
    SharedFailureCount CountFailure(string scope, string key, TimeSpan window);

    /// <summary>Deletes buckets that have refilled and failure windows that have ended (equivalent to absent); returns how many.</summary>
    Task<int> PruneAsync(CancellationToken cancellationToken);
}

/// <summary>One token bucket: its name (a scope and a key within it) and its shape.</summary>
public sealed record SharedBucket(string Scope, string Key, double PerSecond, double Capacity);

/// <summary>The answer of <see cref="ISharedRateLimits.TakeAsync"/>.</summary>
/// <param name="RefusedBy">The index of the first bucket that lacked a token; -1 when a token was taken from each.</param>
/// <param name="RetryAfter">When refused, how long until every bucket that lacked a token has one.</param>
public readonly record struct SharedTake(int RefusedBy, TimeSpan RetryAfter)
{
    public bool Taken => RefusedBy < 0;
}

/// <param name="Failures">Failures counted in the current window, this one included.</param>
/// <param name="WindowLeft">How long until the window ends.</param>
public readonly record struct SharedFailureCount(int Failures, TimeSpan WindowLeft);

/// <summary>The shared limits' database did not answer; the caller decides whether to refuse or to fall back.</summary>
public sealed class SharedLimitUnavailableException(string message, Exception innerException) : Exception(message, innerException);
