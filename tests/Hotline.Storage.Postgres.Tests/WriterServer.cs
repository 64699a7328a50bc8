using Hotline.Domain;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>What one server runs of the store's write path: its own writer, engine and key vault, on the shared database.</summary>
internal sealed class WriterServer : IDisposable
{
    private readonly PostgresEngine _engine;
    private readonly StoreKeyVault _vault;

    public WriterServer(NpgsqlDataSource database, byte[] masterKey)
    {
        var ring = StoreKeyVault.DeriveRing(masterKey);
        _vault = new StoreKeyVault(ring.NewKeyCheck(), ring);
        _engine = new PostgresEngine(database);
        Writer = new StoreWriter(_engine, StoreCounters.Empty, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance,
            _vault, NullLogger.Instance);
        Writer.Start();
    }

    public StoreWriter Writer { get; }

    /// <summary>This server's keys, which its change follower opens changes with.</summary>
    public StoreKeyVault Vault => _vault;

    public Task<IntakeReceipt> SubmitAsync(NewHelpRequest submission) => EnqueueAsync(new SubmitWrite(submission, CancellationToken.None));

    public Task<HelpRequest> ExecuteAsync(string requestId, RequestCommand command) =>
        EnqueueAsync(new CommandWrite(requestId, command, CancellationToken.None));

    public Task<int> PurgeAsync(string requestId) => EnqueueAsync(PendingPurge.One(requestId, "sup-1", CancellationToken.None));

    public void Dispose()
    {
        Writer.Stop(TimeSpan.FromSeconds(60));
        _engine.Dispose();
        _vault.Dispose();
    }

    private Task<TResult> EnqueueAsync<TResult>(PendingWrite<TResult> write)
    {
        Writer.Enqueue(write);
        return write.Task;
    }
}
