using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Hotline.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Hotline.Storage.Postgres;

/// <summary>
/// Rate limits shared by every server on the database (<see cref="ISharedRateLimits"/>), in the
/// UNLOGGED tables of <see cref="PostgresSchema"/>: token buckets taken by one call of
/// <c>hotline_take_tokens</c>, failure windows counted by one upsert. Each decision is one round trip
/// and atomic across servers, so N servers enforce one limit, not N.
/// </summary>
/// <remarks>
/// A key is stored as HMAC-SHA256 under a key derived from the master key, over the scope and the
/// key: the tables never hold an address or an account id, and without the master key a hash cannot
/// be tested against guessed addresses. The calls run on a pool of their own with short timeouts, so
/// a flood of failed sign-ins cannot take the store's connections and a database that does not answer
/// costs a caller seconds, not the default quarter minute; the caller then gets
/// <see cref="SharedLimitUnavailableException"/> and decides.
/// </remarks>
internal sealed class SharedRateLimits : ISharedRateLimits, IDisposable
{
    /// <summary>How long a limiter call waits for a connection or an answer.</summary>
    public const int TimeoutSeconds = 3;

    /// <summary>Rows past their end by more than this are pruned: a call that has just made one can never lose it under its feet.</summary>
    private const int PruneSlackSeconds = 60;

    private const string TakeSql = "SELECT refused_by, wait_seconds FROM hotline_take_tokens(@keys, @rates, @capacities)";

    private const string CountSql = """
        INSERT INTO failure_windows AS f (key, failures, window_end)
        VALUES (@key, 1, extract(epoch FROM statement_timestamp()) + @window)
        ON CONFLICT (key) DO UPDATE SET
            failures = CASE WHEN f.window_end <= extract(epoch FROM statement_timestamp()) THEN 1 ELSE LEAST(f.failures, 1000000000) + 1 END,
            window_end = CASE WHEN f.window_end <= extract(epoch FROM statement_timestamp()) THEN excluded.window_end ELSE f.window_end END
        RETURNING failures, window_end - extract(epoch FROM statement_timestamp())
        """;

    private const string PruneSql = """
        WITH buckets AS (DELETE FROM rate_buckets WHERE full_at < extract(epoch FROM statement_timestamp()) - @slack RETURNING 1),
             windows AS (DELETE FROM failure_windows WHERE window_end < extract(epoch FROM statement_timestamp()) - @slack RETURNING 1)
        SELECT (SELECT count(*) FROM buckets) + (SELECT count(*) FROM windows)
        """;

    private static readonly byte[] KeyLabel = "hotline/v1/shared-rate-limit-keys"u8.ToArray();

    private readonly NpgsqlDataSource _data;
    private readonly byte[] _hashKey;

    /// <param name="masterKey">The installation's master key, already checked against its key-check value; only a key derived from it is kept.</param>
    public SharedRateLimits(string connectionString, ReadOnlySpan<byte> masterKey)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Timeout = TimeoutSeconds,
            CommandTimeout = TimeoutSeconds,
            MaxPoolSize = 20,
            ApplicationName = "hotline-limits",
        };
        _data = NpgsqlDataSource.Create(builder.ConnectionString);
        _hashKey = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, _hashKey, salt: [], info: KeyLabel);
    }

    public async Task<SharedTake> TakeAsync(IReadOnlyList<SharedBucket> buckets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentOutOfRangeException.ThrowIfZero(buckets.Count);
        try
        {
            await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(TakeSql, connection);
            command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Bytea)
            {
                Value = buckets.Select(b => StoredKey(b.Scope, b.Key)).ToArray(),
            });
            command.Parameters.AddWithValue("rates", buckets.Select(b => b.PerSecond).ToArray());
            command.Parameters.AddWithValue("capacities", buckets.Select(b => b.Capacity).ToArray());
            await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await row.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException("hotline_take_tokens returned no row.");
            }
            return ReadTake(row);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable(ex);
        }
    }

    public SharedFailureCount CountFailure(string scope, string key, TimeSpan window)
    {
        try
        {
            using var connection = _data.OpenConnection();
            using var command = new NpgsqlCommand(CountSql, connection);
            command.Parameters.AddWithValue("key", StoredKey(scope, key));
            command.Parameters.AddWithValue("window", window.TotalSeconds);
            using var row = command.ExecuteReader();
            if (!row.Read())
            {
                throw new InvalidOperationException("The failure count returned no row.");
            }
            return new SharedFailureCount(row.GetInt32(0), TimeSpan.FromSeconds(Math.Max(0, row.GetDouble(1))));
        }
        catch (Exception ex) when (IsUnavailable(ex, CancellationToken.None))
        {
            throw Unavailable(ex);
        }
    }

    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(PruneSql, connection);
            command.Parameters.AddWithValue("slack", (double)PruneSlackSeconds);
            return checked((int)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable(ex);
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_hashKey);
        _data.Dispose();
    }

    /// <summary>The scope's length first, so ("a:b", "c") and ("a", "b:c") cannot meet.</summary>
    internal byte[] StoredKey(string scope, string key) =>
        HMACSHA256.HashData(_hashKey, Encoding.UTF8.GetBytes(scope.Length.ToString(CultureInfo.InvariantCulture) + ":" + scope + ":" + key));

    private static SharedTake ReadTake(NpgsqlDataReader row) => new(row.GetInt32(0), TimeSpan.FromSeconds(Math.Max(0, row.GetDouble(1))));

    private static bool IsUnavailable(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && ex is NpgsqlException or IOException or SocketException or TimeoutException or ObjectDisposedException;

    private static SharedLimitUnavailableException Unavailable(Exception ex) =>
        new("The shared rate limits' database did not answer (" + ex.GetType().Name + ").", ex);
}
