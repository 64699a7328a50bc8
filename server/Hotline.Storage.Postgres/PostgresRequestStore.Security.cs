using Hotline.Domain;

namespace Hotline.Storage.Postgres;

/// <summary>
/// The security state this store shares with every other server on the database: accounts changed
/// since a version, the lock, and rate limits (see <see cref="SharedSecurityState"/> and
/// <see cref="SharedRateLimits"/>). The server follows it so that a revocation, a lockdown or a
/// limit decided on one server binds all.
/// </summary>
public sealed partial class PostgresRequestStore : ISharedSecurityState
{
    private SharedSecurityState? _security;
    private SharedRateLimits? _rateLimits;

    public TimeSpan ReReadInterval => Security.ReReadInterval;

    /// <summary>Null when the store was opened without the master key (left locked): the limits' keys derive from it.</summary>
    public ISharedRateLimits? RateLimits => _rateLimits;

    private SharedSecurityState Security => _security ?? throw new InvalidOperationException("The store is not open.");

    public Task<SecurityChanges> ReadChangesAsync(long sinceVersion, CancellationToken cancellationToken) =>
        Security.ReadChangesAsync(sinceVersion, cancellationToken);

    public Task FollowAsync(Func<CancellationToken, Task> onWake, CancellationToken cancellationToken) =>
        Security.FollowAsync(onWake, cancellationToken);

    /// <param name="masterKey">The checked master key, or null when the store opened without it.</param>
    private void ShareSecurity(string connectionString, TimeSpan reReadInterval, byte[]? masterKey)
    {
        _rateLimits = masterKey is null ? null : new SharedRateLimits(connectionString, masterKey);
        _security = new SharedSecurityState(_data, connectionString, reReadInterval, _logger, _rateLimits);
    }
}
