using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Storage;

namespace Hotline.Server.Store;

/// <summary>
/// The open store, from the moment it exists: <see cref="Open"/> opens it (so a second server on
/// the same data directory, or a missing or wrong master key, fails before the server listens),
/// and every service that needs the store is built from an instance that has it, never from one
/// that might not yet. As a hosted service it closes the store after the web server has stopped,
/// so every write already accepted is finished and on disk before the process exits.
/// </summary>
internal sealed class StoreLifetime : IHostedService, IDisposable
{
    private readonly LiteDbRequestStore _store;
    private int _closed;

    private StoreLifetime(LiteDbRequestStore store, string dataDirectory)
    {
        _store = store;
        DataDirectory = dataDirectory;
    }

    /// <summary>The full path of the data directory this store holds the lock of.</summary>
    public string DataDirectory { get; }

    /// <summary>The revision of the last committed change.</summary>
    public long CommittedRevision => _store.CommittedRevision;

    public IRequestStore Store => _store;

    public IRequestFigures Figures => _store;

    public IAuditTrail Audit => _store;

    public StoreKeyVault Vault => _store.Vault;

    public IOperatorStore Operators => _store;

    /// <summary>True while the store takes writes: open, not stopped by a disk failure, and its disk not refusing writes now.</summary>
    public bool AcceptsWrites => Volatile.Read(ref _closed) == 0 && !_store.WritesFailed && !_store.DiskRefusesWrites;

    /// <summary>Opens the data directory named by <paramref name="settings"/> with the master key as configured.</summary>
    /// <exception cref="DataDirectoryInUseException">Another process holds the data directory.</exception>
    /// <exception cref="MasterKeyException">The master key is missing, misconfigured or wrong.</exception>
    public static StoreLifetime Open(StoreOptions settings, TimeProvider time, IChangeListener changes, ILoggerFactory loggers)
    {
        var masterKey = MasterKeyFile.Read(settings);
        LiteDbRequestStore store;
        try
        {
            store = LiteDbRequestStore.Open(settings.DataDirectory,
                new RequestStoreOptions { ChangeLogRetention = settings.ChangeLogRetention },
                time, changes, loggers.CreateLogger<LiteDbRequestStore>(), masterKey);
        }
        finally
        {
            if (masterKey is not null)
            {
                CryptographicOperations.ZeroMemory(masterKey);
            }
        }
        return new StoreLifetime(store, Path.GetFullPath(settings.DataDirectory));
    }

    /// <summary>A consistent copy of the database, taken by the writer between two batches (see <see cref="LiteDbRequestStore.CopyDatabaseAsync"/>).</summary>
    public Task<StoreSnapshot> CopyDatabaseAsync(Stream destination, CancellationToken cancellationToken) =>
        _store.CopyDatabaseAsync(destination, cancellationToken);

    /// <summary>Drops change-log entries beyond the configured retention now, instead of waiting for the writer to do it.</summary>
    public Task CompactAsync() => _store.CompactAsync(CancellationToken.None);

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
