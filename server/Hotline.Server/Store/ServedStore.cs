using Hotline.Domain;
using Hotline.Storage;
using Hotline.Storage.Postgres;

namespace Hotline.Server.Store;

/// <summary>
/// What the server needs of an open store beyond the domain's interfaces, one implementation per
/// store, so <see cref="StoreLifetime"/> and everything built on it never ask which store it is.
/// </summary>
internal interface IServedStore : IDisposable
{
    /// <summary>Where the data is, for the log: a path, or a database without its password.</summary>
    string Describe { get; }

    IRequestStore Requests { get; }

    IRequestFigures Figures { get; }

    IAuditTrail Audit { get; }

    IOperatorStore Operators { get; }

    StoreKeyVault Vault { get; }

    /// <summary>True while writes can be taken: not stopped by a failure it could not roll back, and the disk or database taking them now.</summary>
    bool TakesWrites { get; }

    /// <summary>
    /// A consistent copy of the whole store for a sealed backup, or null when the store is not a file
    /// this server can copy (PostgreSQL is backed up with the database's own tools).
    /// </summary>
    Func<Stream, CancellationToken, Task<StoreSnapshot>>? CopyDatabase { get; }

    /// <summary>Drops change-log entries beyond the configured retention now.</summary>
    Task CompactAsync();
}

/// <summary>The embedded LiteDB file in the data directory, whose lock it holds.</summary>
internal sealed class LiteDbServedStore(LiteDbRequestStore store, string dataDirectory) : IServedStore
{
    public string Describe { get; } = "LiteDB in " + dataDirectory;

    public IRequestStore Requests => store;

    public IRequestFigures Figures => store;

    public IAuditTrail Audit => store;

    public IOperatorStore Operators => store;

    public StoreKeyVault Vault => store.Vault;

    public bool TakesWrites => !store.WritesFailed && !store.DiskRefusesWrites;

    public Func<Stream, CancellationToken, Task<StoreSnapshot>>? CopyDatabase => store.CopyDatabaseAsync;

    public Task CompactAsync() => store.CompactAsync(CancellationToken.None);

    public void Dispose() => store.Dispose();
}

/// <summary>
/// A PostgreSQL database shared with other servers; this server holds its own data directory's
/// lock (<see cref="DataDirectoryHold"/>) for its admin socket and local files, released last.
/// </summary>
internal sealed class PostgresServedStore(PostgresRequestStore store, DataDirectoryHold dataDirectory, string describe) : IServedStore
{
    public string Describe { get; } = describe;

    public IRequestStore Requests => store;

    public IRequestFigures Figures => store;

    public IAuditTrail Audit => store;

    public IOperatorStore Operators => store;

    public StoreKeyVault Vault => store.Vault;

    public bool TakesWrites => !store.WritesFailed && !store.DiskRefusesWrites;

    public Func<Stream, CancellationToken, Task<StoreSnapshot>>? CopyDatabase => null;

    public Task CompactAsync() => store.CompactAsync(CancellationToken.None);

    public void Dispose()
    {
        try
        {
            store.Dispose();
        }
        finally
        {
            dataDirectory.Dispose();
        }
    }
}
