using Hotline.Domain;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>
/// The security state every server on the database shares (<see cref="ISharedSecurityState"/>): the
/// <c>security</c> row's lock and security version, and the accounts stamped with the version of their
/// last write (see <see cref="PostgresRows.WriteOperator"/>). A write transaction that raised the
/// version notifies <see cref="Channel"/> with it on commit; each server listens on a connection of
/// its own, apart from the change feed's, and re-reads every <see cref="ReReadInterval"/> anyway.
/// </summary>
internal sealed class SharedSecurityState(NpgsqlDataSource dataSource, string connectionString, TimeSpan reReadInterval,
    ILogger logger, SharedRateLimits? rateLimits) : ISharedSecurityState
{
    /// <summary>The channel account writes and lock changes are announced on; the payload is the new security version only.</summary>
    public const string Channel = "hotline_security";

    /// <summary>The statement a write transaction that raised the security version ends with; parameter <c>@version</c>.</summary>
    public const string NotifySql = "SELECT pg_notify('" + Channel + "', @version::text)";

    /// <summary>
    /// One statement, so one snapshot: the security row, joined to each account written after
    /// <c>@since</c> (none: one row with the account columns null). The index on the accounts'
    /// version makes it a range scan, usually empty, whatever the number of accounts.
    /// </summary>
    private static readonly string ReadSql =
        "SELECT " + string.Join(", ", OperatorRows.Columns.Split(", ").Select(c => "o." + c))
        + ", s.security_version, s.locked FROM security s LEFT JOIN operators o ON o.security_version > @since "
        + "WHERE s.id = 1 ORDER BY o.security_version";

    public TimeSpan ReReadInterval => reReadInterval;

    public ISharedRateLimits? RateLimits => rateLimits;

    public async Task<SecurityChanges> ReadChangesAsync(long sinceVersion, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(ReadSql, connection);
        command.Parameters.AddWithValue("since", sinceVersion);
        await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var accounts = new List<OperatorRecord>();
        var (version, locked) = (sinceVersion, false);
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            (version, locked) = ReadRow(rows, accounts);
        }
        return new SecurityChanges(version, locked, accounts);
    }

    public Task FollowAsync(Func<CancellationToken, Task> onWake, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onWake);
        var wakeups = new ChangeWakeups(connectionString, reReadInterval, logger, Channel, "hotline-listen-security");
        return wakeups.RunAsync((_, token) => onWake(token), cancellationToken);
    }

    private static (long Version, bool Locked) ReadRow(NpgsqlDataReader row, List<OperatorRecord> accounts)
    {
        if (!row.IsDBNull(0))
        {
            accounts.Add(OperatorRows.Read(row));
        }
        return (row.GetInt64(8), row.GetBoolean(9));
    }
}
