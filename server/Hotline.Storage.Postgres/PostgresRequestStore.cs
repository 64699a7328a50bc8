using System.Diagnostics;
using Hotline.Domain;
using Hotline.Protection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>
/// The request store on PostgreSQL, for installations that run several servers on one database.
/// Composed of the shared write core and this project's parts: this server's <see cref="StoreWriter"/>
/// over a <see cref="PostgresEngine"/> (every write transaction locks the head row first, so the
/// servers' commits form one revision order and one audit chain), a <see cref="ChangeFollower"/> that
/// hands the change listener every server's changes in order, once (woken by <see cref="ChangeWakeups"/>),
/// and reads on pooled connections of one <see cref="NpgsqlDataSource"/>, each a transaction of its own.
/// Sealing, pseudonyms, the audit chain and purges are the core's and <c>Hotline.Protection</c>'s,
/// as in the LiteDB store. One file per concern: this one opens and closes; <c>.Writes</c>,
/// <c>.Reads</c>, <c>.Feed</c>, <c>.Audit</c>, <c>.Figures</c> and <c>.Security</c> are the interfaces the server uses.
/// All members are safe to call from any thread.
/// </summary>
/// <remarks>
/// How many reads run at once is bounded by the data source's pool (<c>Maximum Pool Size</c> in the
/// connection string, 100 by default); reads that walk many requests (lists, working sets, reports)
/// are bounded further by <see cref="RequestStoreOptions.MaxConcurrentScans"/>.
/// </remarks>
public sealed partial class PostgresRequestStore : IRequestStore, IDisposable
{
    /// <summary>Requests purged per writer turn by a retention run, so intake never waits behind a long purge.</summary>
    public const int RetentionRoundSize = 200;

    /// <summary>How long the change follower goes without re-reading the log when no notification comes.</summary>
    public static readonly TimeSpan DefaultReReadInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly NpgsqlDataSource _data;
    private readonly PostgresEngine _engine;
    private readonly StoreWriter _writer;
    private readonly StoreWrites _writes;
    private readonly ChangeFollower _follower;
    private readonly CancellationTokenSource _stopFollowing = new();
    private readonly SemaphoreSlim _scans;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _readPageBytes;
    private readonly Lock _disposeLock = new();
    private Task _following = Task.CompletedTask;
    private bool _disposed;

    private PostgresRequestStore(NpgsqlDataSource data, PostgresEngine engine, StoreWriter writer, ChangeFollower follower,
        StoreKeyVault vault, RequestStoreOptions options, TimeProvider time, ILogger logger)
    {
        _data = data;
        _engine = engine;
        _writer = writer;
        _writes = new StoreWrites(writer, vault);
        _follower = follower;
        Vault = vault;
        _time = time;
        _logger = logger;
        _readPageBytes = options.ReadPageBytes;
        _scans = new SemaphoreSlim(options.MaxConcurrentScans, options.MaxConcurrentScans);
    }

    /// <summary>
    /// The newest revision known committed: this server's own writes, and every server's changes the
    /// follower has read. Changes of other servers count once the follower has read them.
    /// </summary>
    public long CommittedRevision => Math.Max(_writer.CommittedRevision, _follower.HeadSeen);

    /// <summary>Lockdown and unlock; the locked state is stored in the database's <c>security</c> row.</summary>
    public StoreKeyVault Vault { get; }

    /// <summary>True while the database refuses writes (out of space, unreachable): writes get UNAVAILABLE until it takes one. For health checks.</summary>
    public bool DiskRefusesWrites => _writer.DiskRefused;

    /// <summary>Never true here: a transaction PostgreSQL could not roll back dies with its connection. For health checks, as on the LiteDB store.</summary>
    public bool WritesFailed => _writer.Failed;

    /// <summary>
    /// Opens the store on the database at <paramref name="connectionString"/>: creates or checks the
    /// schema (<see cref="PostgresSchema"/>), checks <paramref name="masterKey"/> against the
    /// installation's key-check value (making one for a new database), finishes purges a server
    /// left half done, starts this server's writer and the change follower.
    /// </summary>
    /// <param name="masterKey">
    /// The 32-byte master key, or null when it is not at hand: an installation left locked opens without
    /// it (and stays locked until <see cref="StoreKeyVault.UnlockAsync"/>); any other refuses to.
    /// </param>
    /// <param name="reReadInterval">How often the follower re-reads the log without a notification; <see cref="DefaultReReadInterval"/> when null.</param>
    /// <exception cref="MasterKeyException">The master key is missing or not the one the data was sealed with.</exception>
    public static async Task<PostgresRequestStore> OpenAsync(string connectionString, RequestStoreOptions options, TimeProvider timeProvider,
        IChangeListener changeListener, ILogger logger, byte[]? masterKey, TimeSpan? reReadInterval, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(changeListener);
        ArgumentNullException.ThrowIfNull(logger);
        options.Check();
        var data = NpgsqlDataSource.Create(connectionString);
        StoreKeyVault? vault = null;
        PostgresEngine? engine = null;
        try
        {
            await PostgresSchema.EnsureAsync(data, cancellationToken).ConfigureAwait(false);
            vault = await OpenVaultAsync(data, masterKey, logger, cancellationToken).ConfigureAwait(false);
            StoreCounters counters;
            await using (var connection = await data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            {
                var head = await StoreHead.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
                counters = new StoreCounters(head.LastRevision, head.NextNumber, head.CompactedThrough, head.AuditSequence, head.AuditHead);
            }
            var wakeups = new ChangeWakeups(connectionString, reReadInterval ?? DefaultReReadInterval, logger);
            engine = new PostgresEngine(data);
            var follower = new ChangeFollower(data, vault, changeListener, counters.LastRevision, logger);
            var nudge = new FollowerNudge(follower);
            var writer = new StoreWriter(engine, counters, options, timeProvider, nudge, vault, logger);
            FinishInterruptedPurges(engine, writer, logger);
            writer.Start();
            var store = new PostgresRequestStore(data, engine, writer, follower, vault, options, timeProvider, logger);
            store.ShareSecurity(connectionString, reReadInterval ?? DefaultReReadInterval, masterKey);
            nudge.Stopping = store._stopFollowing.Token;
            vault.ConnectWriter((locked, actor) => store._writes.EnqueueAsync(new LockStateWrite(locked, actor)));
            store._following = follower.RunAsync(wakeups, store._stopFollowing.Token);
            logger.LogInformation("PostgreSQL store opened at revision {Revision}, next number {Number}, log compacted through {Compacted}.",
                counters.LastRevision, counters.NextNumber, counters.CompactedThrough);
            return store;
        }
        catch
        {
            engine?.Dispose();
            vault?.Dispose();
            await data.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Refuses new writes, finishes those queued, stops following changes and closes the connections.
    /// Safe to call more than once; must not be called from a change listener.
    /// </summary>
    public void Dispose()
    {
        lock (_disposeLock)
        {
            if (_disposed)
            {
                return;
            }
            var closing = Stopwatch.GetTimestamp();
            if (!_writer.Stop(StopTimeout))
            {
                _logger.LogWarning("The PostgreSQL store's writer did not stop within {Seconds} s.", StopTimeout.TotalSeconds);
            }
            _stopFollowing.Cancel();
            // The follower may be inside a read: let it end before its connections go.
            var left = StopTimeout - Stopwatch.GetElapsedTime(closing);
            SpinWait.SpinUntil(() => _following.IsCompleted, left > TimeSpan.Zero ? left : TimeSpan.Zero);
            _engine.Dispose();
            _rateLimits?.Dispose();
            _data.Dispose();
            Vault.Dispose();
            _stopFollowing.Dispose();
            _scans.Dispose();
            _disposed = true;
        }
    }

    /// <summary>
    /// Checks the master key against the key-check value (making one for a new database) and opens
    /// the vault, locked if the installation was left locked. Under the head row's lock, so two
    /// servers opening a new database at once agree on one key-check value.
    /// </summary>
    private static async Task<StoreKeyVault> OpenVaultAsync(NpgsqlDataSource data, byte[]? masterKey, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = await data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await StoreHead.LockAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        byte[]? keyCheck = null;
        var locked = false;
        await using (var read = new NpgsqlCommand("SELECT key_check, locked FROM security WHERE id = 1", connection, transaction))
        await using (var row = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                keyCheck = Columns.BytesOrNull(row, 0);
                locked = ReadBoolean(row, 1);
            }
        }
        if (keyCheck is null)
        {
            await using (var any = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM requests) OR EXISTS (SELECT 1 FROM changes)", connection, transaction))
            {
                if ((bool)(await any.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                {
                    throw MasterKeyException.UnencryptedData();
                }
            }
            var fresh = StoreKeyVault.DeriveRing(masterKey ?? throw MasterKeyException.Missing());
            var check = fresh.NewKeyCheck();
            await using (var insert = new NpgsqlCommand("INSERT INTO security (id, key_check, locked) VALUES (1, @check, false)", connection, transaction))
            {
                insert.Parameters.AddWithValue("check", check);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            logger.LogInformation("A key-check value for the master key was stored in the new database.");
            return new StoreKeyVault(check, fresh);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        KeyRing? ring = null;
        if (masterKey is not null)
        {
            ring = StoreKeyVault.DeriveRing(masterKey);
            if (!ring.Opens(keyCheck))
            {
                ring.Dispose();
                throw MasterKeyException.Mismatch();
            }
        }
        if (locked)
        {
            // The right key was offered, but a lockdown is lifted only by an admin's explicit unlock.
            ring?.Dispose();
            logger.LogWarning("The installation is locked down: the store opened without keys until an administrator unlocks it.");
            return new StoreKeyVault(keyCheck, ring: null);
        }
        return new StoreKeyVault(keyCheck, ring ?? throw MasterKeyException.Missing());
    }

    private static bool ReadBoolean(NpgsqlDataReader row, int ordinal) => row.GetBoolean(ordinal);

    /// <summary>A purge cut short between its two transactions (on any server) left requests without keys; remove them now.</summary>
    private static void FinishInterruptedPurges(PostgresEngine engine, StoreWriter writer, ILogger logger)
    {
        var unfinished = engine.Read(rows => rows.ReadPurgesInProgress());
        if (unfinished.Count == 0)
        {
            return;
        }
        logger.LogWarning("Finishing {Count} purges a server left half done.", unfinished.Count);
        var purge = PendingPurge.Unfinished();
        writer.PurgeBeforeStart(purge);
        if (purge.Task.Exception?.InnerException is { } failure)
        {
            logger.LogError(failure, "Finishing the interrupted purges failed; the next start tries again.");
        }
    }

    /// <summary>
    /// The writer's listener: this server's own commits start a catch-up at once rather than waiting
    /// for their notification to come back. Never blocks the writer; nudges that come while one is
    /// pending make one catch-up.
    /// </summary>
    private sealed class FollowerNudge(ChangeFollower follower) : IChangeListener
    {
        private int _pending;

        public CancellationToken Stopping { get; set; }

        public void OnCommitted(IReadOnlyList<RequestChange> changes)
        {
            if (Interlocked.Exchange(ref _pending, 1) == 1)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                Interlocked.Exchange(ref _pending, 0);
                try
                {
                    await follower.CatchUpAsync(Stopping).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or NpgsqlException or ObjectDisposedException or IOException)
                {
                    // The periodic re-read catches up instead; stopping ends it.
                }
            });
        }
    }
}
