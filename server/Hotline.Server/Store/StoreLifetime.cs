using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Storage;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Store;

/// <summary>
/// Opens the store when the host starts, so a second server on the same data directory, or a
/// missing or wrong master key, fails before it listens, and closes it after the web server has
/// stopped, so every write already accepted is finished and on disk before the process exits.
/// </summary>
internal sealed class StoreLifetime(
    IOptions<StoreOptions> options,
    TimeProvider time,
    IChangeListener broadcaster,
    ILoggerFactory loggers) : IHostedService, IDisposable
{
    private LiteDbRequestStore? _store;

    public IRequestStore Store => Opened;

    public IAuditTrail Audit => Opened;

    public StoreKeyVault Vault => Opened.Vault;

    public IOperatorStore Operators => _store ?? throw new InvalidOperationException("The store is used before the host started.");

    /// <summary>True while the store takes writes: open, and not stopped by a disk failure.</summary>
    public bool AcceptsWrites => _store is { WritesFailed: false };

    private LiteDbRequestStore Opened => _store ?? throw new InvalidOperationException("The store is used before the host started.");

    /// <summary>Drops change-log entries beyond the configured retention now, instead of waiting for the writer to do it.</summary>
    public Task CompactAsync() =>
        (_store ?? throw new InvalidOperationException("The store is not open.")).CompactAsync(CancellationToken.None);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var logger = loggers.CreateLogger("Hotline.Server");
        var masterKey = MasterKeyFile.Read(settings.MasterKeyFile, settings.DataDirectory);
        try
        {
            _store = LiteDbRequestStore.Open(settings.DataDirectory,
                new RequestStoreOptions { ChangeLogRetention = settings.ChangeLogRetention },
                time, broadcaster, loggers.CreateLogger<LiteDbRequestStore>(), masterKey);
        }
        finally
        {
            if (masterKey is not null)
            {
                CryptographicOperations.ZeroMemory(masterKey);
            }
        }
        ServerLog.StoreOpened(logger, Path.GetFullPath(settings.DataDirectory), _store.CommittedRevision);
        if (_store.Vault.IsLocked)
        {
            ServerLog.StartedLocked(logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        var store = Interlocked.Exchange(ref _store, null);
        store?.Dispose();
    }
}
