using Hotline.Domain;
using Hotline.Storage;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Store;

/// <summary>
/// Where the server's one <see cref="StoreLifetime"/> comes from. PostgreSQL opens asynchronously,
/// and a dependency-injection factory cannot await, so the host opens the store with
/// <see cref="OpenAsync"/> after the services are built and before any is started (HotlineHost
/// does; nothing resolves the store before). LiteDB opens synchronously, so a host that never
/// called <see cref="OpenAsync"/> still gets it opened by the first service that needs it, as
/// before: tests build hosts that way.
/// </summary>
internal sealed class StoreOpening(IOptions<StoreOptions> options, TimeProvider time, IChangeListener changes, ILoggerFactory loggers)
{
    private readonly Lock _gate = new();
    private StoreLifetime? _opened;

    /// <summary>Opens the configured store, once; later calls return the same.</summary>
    /// <exception cref="DataDirectoryInUseException">Another process holds the data directory.</exception>
    /// <exception cref="MasterKeyException">The master key is missing, misconfigured or wrong.</exception>
    /// <exception cref="Storage.Postgres.DatabaseUnavailableException">The PostgreSQL database cannot be reached or used.</exception>
    public async Task<StoreLifetime> OpenAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_opened is not null)
            {
                return _opened;
            }
        }
        var opened = await StoreLifetime.OpenAsync(options.Value, time, changes, loggers, cancellationToken);
        StoreLifetime kept;
        lock (_gate)
        {
            kept = _opened ??= opened;
        }
        if (kept != opened)
        {
            // Opened twice at once (in practice the data directory's lock refuses the second): keep one.
            opened.Dispose();
        }
        return kept;
    }

    /// <summary>The store opened by <see cref="OpenAsync"/>; a LiteDB store is opened here if it was not.</summary>
    /// <exception cref="InvalidOperationException">The PostgreSQL store was not opened before the host started.</exception>
    public StoreLifetime Opened()
    {
        lock (_gate)
        {
            return _opened ??= StoreLifetime.Open(options.Value, time, changes, loggers);
        }
    }
}
