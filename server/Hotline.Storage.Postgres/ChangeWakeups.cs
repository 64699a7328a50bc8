using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>
/// Tells a server that another may have committed changes, so it re-reads the change log and sends
/// them to its watchers. Every write transaction ends with <see cref="NotifySql"/>, whose payload is
/// only the new revision (a notification carries nothing a listener on the database could learn
/// from but the pace of work); one dedicated connection per server listens.
/// </summary>
/// <remarks>
/// A notification is a hint, never the source of truth: one sent while the listening connection is
/// down is lost for good. The caller therefore re-reads the log from its last delivered revision on
/// every wake-up, and wake-ups also come on reconnecting and every <c>reReadInterval</c> without
/// any notification, so a lost notification costs latency, never a change. The connection has TCP
/// keepalive on and must not go through a transaction-pooling proxy (PgBouncer in transaction
/// mode drops LISTEN).
/// </remarks>
public sealed class ChangeWakeups
{
    /// <summary>The channel every server listens on.</summary>
    public const string Channel = "hotline_changes";

    /// <summary>The application name of each server's listening connection, which tells a server's connection apart in pg_stat_activity.</summary>
    public const string ApplicationName = "hotline-listen";

    /// <summary>The statement a write transaction ends with; parameter <c>@revision</c> is the new last revision.</summary>
    public const string NotifySql = "SELECT pg_notify('" + Channel + "', @revision::text)";

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(10);

    private readonly NpgsqlDataSource _listenSource;
    private readonly TimeSpan _reReadInterval;
    private readonly ILogger _logger;

    /// <param name="connectionString">The store's connection string; the listener opens its own unpooled connection from it.</param>
    /// <param name="reReadInterval">How long the caller goes without a wake-up at most, notification or not.</param>
    public ChangeWakeups(string connectionString, TimeSpan reReadInterval, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(reReadInterval, TimeSpan.Zero);
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = 30,
            ApplicationName = ChangeWakeups.ApplicationName,
        };
        _listenSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _reReadInterval = reReadInterval;
        _logger = logger;
    }

    /// <summary>
    /// Calls <paramref name="onWake"/> with the highest revision notified since the last call (null
    /// when it wakes for the interval or a reconnect) until <paramref name="cancellationToken"/> fires.
    /// A failed connection, or any other failure (of <paramref name="onWake"/> too), is logged without
    /// its message and the connection opened again, with backoff; <paramref name="onWake"/> runs on
    /// every reconnect, since notifications may have been lost meanwhile. Ends only when cancelled.
    /// </summary>
    public async Task RunAsync(Func<long?, CancellationToken, Task> onWake, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onWake);
        var delay = TimeSpan.FromMilliseconds(100);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await ListenAsync(onWake, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is NpgsqlException or IOException or TimeoutException)
                {
                    _logger.LogWarning("The change listener lost its database connection ({Failure}); reconnecting in {Delay} ms.",
                        ex.GetType().Name, (int)delay.TotalMilliseconds);
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    delay = NextDelay(delay);
                    continue;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
                {
                    // Anything else (a bug, a change the listener could not take) must not end the live
                    // feed of this server for good: it is logged by type and place only (a message could
                    // quote data), and the loop listens again, re-reading from the last delivered revision.
                    _logger.LogError("The change listener failed unexpectedly with {Failure} at {Where}; listening again in {Delay} ms.",
                        ex.GetType().FullName, ex.TargetSite?.DeclaringType?.FullName + "." + ex.TargetSite?.Name, (int)delay.TotalMilliseconds);
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    delay = NextDelay(delay);
                    continue;
                }
                delay = TimeSpan.FromMilliseconds(100);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await _listenSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static TimeSpan NextDelay(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));

    private async Task ListenAsync(Func<long?, CancellationToken, Task> onWake, CancellationToken cancellationToken)
    {
        await using var connection = await _listenSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        long? highest = null;
        var gate = new object();
        connection.Notification += (_, notification) =>
        {
            if (long.TryParse(notification.Payload, System.Globalization.CultureInfo.InvariantCulture, out var revision))
            {
                lock (gate)
                {
                    highest = Math.Max(highest ?? 0, revision);
                }
            }
        };
        await using (var listen = new NpgsqlCommand("LISTEN " + Channel, connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        // Listening now: whatever committed before is found by this re-read, whatever commits after is notified.
        await onWake(null, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            await connection.WaitAsync(_reReadInterval, cancellationToken).ConfigureAwait(false);
            long? hint;
            lock (gate)
            {
                hint = highest;
                highest = null;
            }
            await onWake(hint, cancellationToken).ConfigureAwait(false);
        }
    }
}
