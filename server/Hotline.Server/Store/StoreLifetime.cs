using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Storage;
using Hotline.Storage.Postgres;

namespace Hotline.Server.Store;

/// <summary>
/// The open store, from the moment it exists: <see cref="OpenAsync(StoreOptions, TimeProvider, IChangeListener, ILoggerFactory, CancellationToken)"/> opens the store the settings
/// name (so a second server on the same data directory, a missing or wrong master key, or a
/// database that cannot be reached fails before the server listens), and every service that needs
/// the store is built from an instance that has it, never from one that might not yet. As a hosted
/// service it closes the store after the web server has stopped, so every write already accepted is
/// finished and committed before the process exits.
/// </summary>
internal sealed class StoreLifetime : IHostedService, IDisposable
{
    private readonly IServedStore _store;
    private int _closed;

    private StoreLifetime(IServedStore store, string dataDirectory)
    {
        _store = store;
        DataDirectory = dataDirectory;
    }

    /// <summary>The full path of the data directory this server holds the lock of (with LiteDB, where the database is too).</summary>
    public string DataDirectory { get; }

    /// <summary>Where the data is, for the log: never a password.</summary>
    public string Describe => _store.Describe;

    /// <summary>The revision of the last committed change (on PostgreSQL, the newest this server knows of).</summary>
    public long CommittedRevision => _store.Requests.CommittedRevision;

    public IRequestStore Store => _store.Requests;

    public IRequestFigures Figures => _store.Figures;

    public IAuditTrail Audit => _store.Audit;

    public StoreKeyVault Vault => _store.Vault;

    public IOperatorStore Operators => _store.Operators;

    /// <summary>True while the store takes writes: open, not stopped by a failure, and its disk or database taking writes now.</summary>
    public bool AcceptsWrites => Volatile.Read(ref _closed) == 0 && _store.TakesWrites;

    /// <summary>
    /// A consistent copy of the database for a sealed backup (see <see cref="LiteDbRequestStore.CopyDatabaseAsync"/>),
    /// or null on PostgreSQL, which is backed up with the database's own tools.
    /// </summary>
    public Func<Stream, CancellationToken, Task<StoreSnapshot>>? CopyDatabase => _store.CopyDatabase;

    /// <summary>Opens the LiteDB store in the data directory named by <paramref name="settings"/> with the master key as configured.</summary>
    /// <exception cref="DataDirectoryInUseException">Another process holds the data directory.</exception>
    /// <exception cref="MasterKeyException">The master key is missing, misconfigured or wrong.</exception>
    /// <exception cref="InvalidOperationException">The settings name PostgreSQL, which opens only asynchronously (<see cref="OpenAsync(StoreOptions, TimeProvider, IChangeListener, ILoggerFactory, CancellationToken)"/>).</exception>
    public static StoreLifetime Open(StoreOptions settings, TimeProvider time, IChangeListener changes, ILoggerFactory loggers)
    {
        if (settings.UsesPostgres)
        {
            throw new InvalidOperationException(
                "The PostgreSQL store opens asynchronously: open it with StoreLifetime.OpenAsync (HotlineHost.OpenStoreAsync) before the host starts.");
        }
        var masterKey = MasterKeyFile.Read(settings);
        try
        {
            return OpenLiteDb(settings, masterKey, time, changes, loggers);
        }
        finally
        {
            Erase(masterKey);
        }
    }

    /// <summary>Opens the store <paramref name="settings"/> name, the LiteDB file in the data directory or the PostgreSQL database, with the master key as configured.</summary>
    /// <exception cref="DataDirectoryInUseException">Another process holds the data directory.</exception>
    /// <exception cref="MasterKeyException">The master key is missing, misconfigured or wrong.</exception>
    /// <exception cref="DatabaseUnavailableException">The PostgreSQL database cannot be reached or used; the message never holds the password.</exception>
    public static async Task<StoreLifetime> OpenAsync(StoreOptions settings, TimeProvider time, IChangeListener changes, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (!settings.UsesPostgres)
        {
            return Open(settings, time, changes, loggers);
        }
        // The data directory first: a second server on it is refused before it reads the key or touches the database.
        var dataDirectory = DataDirectoryHold.Acquire(settings.DataDirectory);
        byte[]? masterKey = null;
        try
        {
            masterKey = MasterKeyFile.Read(settings);
            return await OpenPostgresAsync(settings, dataDirectory, masterKey, time, changes, loggers, cancellationToken);
        }
        catch
        {
            dataDirectory.Dispose();
            throw;
        }
        finally
        {
            Erase(masterKey);
        }
    }

    /// <summary>
    /// As <see cref="OpenAsync(StoreOptions, TimeProvider, IChangeListener, ILoggerFactory, CancellationToken)"/>
    /// with the master key already read (or null, for an installation left locked), which the caller keeps and erases.
    /// </summary>
    public static async Task<StoreLifetime> OpenAsync(StoreOptions settings, byte[]? masterKey, TimeProvider time, IChangeListener changes,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!settings.UsesPostgres)
        {
            return OpenLiteDb(settings, masterKey, time, changes, loggers);
        }
        var dataDirectory = DataDirectoryHold.Acquire(settings.DataDirectory);
        try
        {
            return await OpenPostgresAsync(settings, dataDirectory, masterKey, time, changes, loggers, cancellationToken);
        }
        catch
        {
            dataDirectory.Dispose();
            throw;
        }
    }

    private static StoreLifetime OpenLiteDb(StoreOptions settings, byte[]? masterKey, TimeProvider time, IChangeListener changes, ILoggerFactory loggers)
    {
        var store = LiteDbRequestStore.Open(settings.DataDirectory, StoreSettings(settings), time, changes,
            loggers.CreateLogger<LiteDbRequestStore>(), masterKey);
        var full = Path.GetFullPath(settings.DataDirectory);
        return new StoreLifetime(new LiteDbServedStore(store, full), full);
    }

    private static async Task<StoreLifetime> OpenPostgresAsync(StoreOptions settings, DataDirectoryHold dataDirectory, byte[]? masterKey, TimeProvider time,
        IChangeListener changes, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var connectionString = settings.Postgres.ConnectionString is { Length: > 0 } given ? given
            : throw new InvalidOperationException("Hotline:Store is postgres but Hotline:Postgres:ConnectionString is not set.");
        var store = await PostgresConnectionString.OpenStoreAsync(connectionString, StoreSettings(settings), time, changes,
            loggers.CreateLogger<PostgresRequestStore>(), masterKey, cancellationToken);
        return new StoreLifetime(new PostgresServedStore(store, dataDirectory, settings.DescribeStore()), dataDirectory.FullPath);
    }

    private static RequestStoreOptions StoreSettings(StoreOptions settings) => new()
    {
        ChangeLogRetention = settings.ChangeLogRetention,
        CheckpointLogBytes = settings.CheckpointLogBytes,
    };

    private static void Erase(byte[]? key)
    {
        if (key is not null)
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Drops change-log entries beyond the configured retention now, instead of waiting for the writer to do it.</summary>
    public Task CompactAsync() => _store.CompactAsync();

    /// <summary>Nothing to do: the store was opened when this was built, which the start-up sequence makes happen first.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _store.Dispose();
        }
    }
}
