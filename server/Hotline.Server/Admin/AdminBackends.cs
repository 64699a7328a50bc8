using System.Net.Sockets;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Backup;
using Hotline.Server.Stats;
using Hotline.Server.Store;
using Hotline.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Admin;

/// <summary>What the command line administers: a running server through its socket, or a stopped one's data directory.</summary>
internal interface IAdminBackend : IAsyncDisposable
{
    /// <summary>One line saying which, printed before the command runs.</summary>
    string Describe { get; }

    Task<AddOperatorResponse> AddOperatorAsync(AddOperatorRequest request);

    Task<ListOperatorAccountsResponse> ListOperatorAccountsAsync();

    Task<SetOperatorDisabledResponse> SetOperatorDisabledAsync(SetOperatorDisabledRequest request);

    Task<RotateOperatorTokenResponse> RotateOperatorTokenAsync(RotateOperatorTokenRequest request);

    Task<LockdownResponse> LockdownAsync();

    /// <summary>Ends a lockdown with the master key as the server reads it.</summary>
    /// <exception cref="MasterKeyException">No master key is configured.</exception>
    Task<UnlockResponse> UnlockAsync();

    /// <summary>Checks the audit chain; during a lockdown, with the configured master key, leaving the lockdown in place.</summary>
    /// <exception cref="MasterKeyException">Locked down and no master key is configured.</exception>
    Task<VerifyAuditResponse> VerifyAuditAsync();

    Task<PurgeRequestsResponse> PurgeRequestsAsync(PurgeRequestsRequest request);

    Task<ProduceMonitoringReportResponse> ProduceMonitoringReportAsync(ProduceMonitoringReportRequest request);

    /// <summary>Takes a sealed backup, handing the file to <paramref name="emit"/> piece by piece, in order.</summary>
    Task<Contract.V1.BackupSummary> CreateBackupAsync(Func<ReadOnlyMemory<byte>, CancellationToken, Task> emit);

    /// <summary>The names of every purged request, a page at a time.</summary>
    IAsyncEnumerable<IReadOnlyList<string>> ExportPurgeLogAsync();
}

/// <summary>
/// The master key as the server reads it (<see cref="MasterKeyFile"/>): read once, when first
/// needed, so commands that need no key work without one; erased when the command ends.
/// </summary>
internal sealed class MasterKeySource(StoreOptions options) : IDisposable
{
    private byte[]? _key;
    private bool _read;

    /// <summary>The key, or null when none is configured.</summary>
    /// <exception cref="MasterKeyException">The key is configured wrongly (see <see cref="MasterKeyFile.Read(StoreOptions)"/>).</exception>
    public byte[]? Read()
    {
        if (!_read)
        {
            _key = MasterKeyFile.Read(options);
            _read = true;
        }
        return _key;
    }

    /// <exception cref="MasterKeyException">No key is configured.</exception>
    public byte[] Require(string purpose) => Read() ?? throw new MasterKeyException(
        $"{purpose} needs the master key: give it as the server is given it, in the file named by Hotline:MasterKeyFile " +
        $"or in the {MasterKeyFile.EnvironmentVariable} environment variable.");

    public void Dispose()
    {
        if (_key is not null)
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(_key);
        }
    }
}

internal static class AdminBackends
{
    /// <summary>The running server if its admin socket answers, else the data directory opened directly.</summary>
    /// <exception cref="DataDirectoryInUseException">A server holds the directory but its socket does not answer.</exception>
    /// <param name="stats">The report settings as this command line reads them, for a stopped server; a running one applies its own.</param>
    /// <param name="backups">The backup settings and retention as this command line reads them, for a stopped server.</param>
    public static async Task<IAdminBackend> ConnectAsync(StoreOptions options, StatsOptions stats, MasterKeySource masterKey, (BackupOptions Options, double RetentionDays) backups)
    {
        var socket = AdminSocketGate.PathFor(options.DataDirectory);
        if (await AnswersAsync(socket))
        {
            return new SocketAdminBackend(socket, masterKey);
        }
        return await LocalAdminBackend.OpenAsync(options, stats, masterKey, backups);
    }

    private static async Task<bool> AnswersAsync(string socketPath)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            // Left behind by a server that was killed; the next server start removes it.
            return false;
        }
    }
}

/// <summary>Calls AdminService on a running server's admin socket.</summary>
internal sealed class SocketAdminBackend : IAdminBackend
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// For calls whose work grows with the data: reading a long audit chain, purging thousands of
    /// closed requests a round at a time. Cut short, a purge stops after its current round.
    /// </summary>
    private static readonly TimeSpan LongCallTimeout = TimeSpan.FromMinutes(15);

    private readonly GrpcChannel _channel;
    private readonly AdminService.AdminServiceClient _client;
    private readonly MasterKeySource _masterKey;

    public SocketAdminBackend(string socketPath, MasterKeySource masterKey)
    {
        _masterKey = masterKey;
        Describe = $"Server running: administering it through {socketPath}.";
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            },
        });
        _client = new AdminService.AdminServiceClient(_channel);
    }

    public string Describe { get; }

    public async Task<AddOperatorResponse> AddOperatorAsync(AddOperatorRequest request) =>
        await _client.AddOperatorAsync(request, deadline: Deadline());

    public async Task<ListOperatorAccountsResponse> ListOperatorAccountsAsync() =>
        await _client.ListOperatorAccountsAsync(new ListOperatorAccountsRequest(), deadline: Deadline());

    public async Task<SetOperatorDisabledResponse> SetOperatorDisabledAsync(SetOperatorDisabledRequest request) =>
        await _client.SetOperatorDisabledAsync(request, deadline: Deadline());

    public async Task<RotateOperatorTokenResponse> RotateOperatorTokenAsync(RotateOperatorTokenRequest request) =>
        await _client.RotateOperatorTokenAsync(request, deadline: Deadline());

    public async Task<LockdownResponse> LockdownAsync() =>
        await _client.LockdownAsync(new LockdownRequest(), deadline: Deadline());

    public async Task<UnlockResponse> UnlockAsync() =>
        await _client.UnlockAsync(new UnlockRequest { MasterKey = ByteString.CopyFrom(_masterKey.Require("unlock")) }, deadline: Deadline());

    public async Task<VerifyAuditResponse> VerifyAuditAsync()
    {
        try
        {
            return await _client.VerifyAuditAsync(new VerifyAuditRequest(), deadline: Deadline(LongCallTimeout));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition && ex.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason == ErrorReasons.LockedDown)
        {
            // Sent only when needed: the key crosses the socket only while the server cannot check the chain without it.
            var key = _masterKey.Require("audit verify on a locked-down server");
            return await _client.VerifyAuditAsync(new VerifyAuditRequest { MasterKey = ByteString.CopyFrom(key) }, deadline: Deadline(LongCallTimeout));
        }
    }

    public async Task<PurgeRequestsResponse> PurgeRequestsAsync(PurgeRequestsRequest request) =>
        await _client.PurgeRequestsAsync(request, deadline: Deadline(LongCallTimeout));

    public async Task<ProduceMonitoringReportResponse> ProduceMonitoringReportAsync(ProduceMonitoringReportRequest request) =>
        await _client.ProduceMonitoringReportAsync(request, deadline: Deadline(LongCallTimeout));

    public async Task<Contract.V1.BackupSummary> CreateBackupAsync(Func<ReadOnlyMemory<byte>, CancellationToken, Task> emit)
    {
        using var call = _client.CreateBackup(new CreateBackupRequest(), deadline: Deadline(LongCallTimeout));
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            var part = call.ResponseStream.Current;
            if (part.PartCase == CreateBackupResponse.PartOneofCase.Summary)
            {
                return part.Summary;
            }
            await emit(part.Data.Memory, CancellationToken.None);
        }
        throw new IOException("the server ended the backup stream before its summary; nothing was kept");
    }

    public async IAsyncEnumerable<IReadOnlyList<string>> ExportPurgeLogAsync()
    {
        using var call = _client.ExportPurgeLog(new ExportPurgeLogRequest(), deadline: Deadline(LongCallTimeout));
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            yield return call.ResponseStream.Current.Names;
        }
    }

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    private static DateTime Deadline(TimeSpan? timeout = null) => DateTime.UtcNow.Add(timeout ?? CallTimeout);
}

/// <summary>
/// Opens the store of a stopped server and runs the same administration the server would: with
/// LiteDB its data directory (taking its lock), with PostgreSQL the database, as one more server
/// on it would (taking the lock of this server's data directory, never stopping other servers).
/// No watch streams exist here, so nothing needs ending.
/// </summary>
internal sealed class LocalAdminBackend : IAdminBackend
{
    private readonly StoreLifetime _store;
    private readonly Administration _administration;
    private readonly MasterKeySource _masterKey;
    private readonly BackupAdministration _backups;

    private LocalAdminBackend(StoreLifetime store, Administration administration, BackupAdministration backups, MasterKeySource masterKey, string describe)
    {
        _store = store;
        _administration = administration;
        _backups = backups;
        _masterKey = masterKey;
        Describe = describe;
    }

    public string Describe { get; }

    public static async Task<LocalAdminBackend> OpenAsync(StoreOptions options, StatsOptions stats, MasterKeySource masterKey, (BackupOptions Options, double RetentionDays) backups)
    {
        // The key as the server reads it; a locked installation opens without one.
        var store = await StoreLifetime.OpenAsync(options, masterKey.Read(), TimeProvider.System, NoChangeListener.Instance, NullLoggerFactory.Instance,
            CancellationToken.None);
        try
        {
            var directory = new OperatorDirectory(store.Operators, new SessionRegistry());
            await directory.LoadAsync(CancellationToken.None);
            var administration = new Administration(new OperatorAdministration(directory, NullLogger<OperatorAdministration>.Instance),
                new StoreAdministration(store.Store, store.Audit, store.Vault, NullLogger<StoreAdministration>.Instance), store.Figures, Options.Create(stats));
            var backup = new BackupAdministration(new BackupMaker(store.DataDirectory, backups.Options, backups.RetentionDays, TimeProvider.System),
                store.CopyDatabase, store.Audit, store.Vault, () => masterKey.Read() is { } key ? [.. key] : null);
            var describe = options.UsesPostgres
                ? $"No server running on {store.DataDirectory}: administering {store.Describe} directly."
                : $"No server running: administering {store.DataDirectory} directly.";
            return new LocalAdminBackend(store, administration, backup, masterKey, describe);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public Task<AddOperatorResponse> AddOperatorAsync(AddOperatorRequest request) =>
        _administration.AddOperatorAsync(request, CancellationToken.None);

    public Task<ListOperatorAccountsResponse> ListOperatorAccountsAsync() =>
        Task.FromResult(_administration.ListOperatorAccounts());

    public Task<SetOperatorDisabledResponse> SetOperatorDisabledAsync(SetOperatorDisabledRequest request) =>
        _administration.SetOperatorDisabledAsync(request, CancellationToken.None);

    public Task<RotateOperatorTokenResponse> RotateOperatorTokenAsync(RotateOperatorTokenRequest request) =>
        _administration.RotateOperatorTokenAsync(request, CancellationToken.None);

    public async Task<LockdownResponse> LockdownAsync()
    {
        var already = _store.Vault.IsLocked;
        await _store.Vault.LockAsync(StoreKeyVault.DefaultActor, CancellationToken.None);
        return new LockdownResponse { AlreadyLocked = already };
    }

    public async Task<UnlockResponse> UnlockAsync()
    {
        var unlocked = await _store.Vault.UnlockAsync(_masterKey.Require("unlock"), StoreKeyVault.DefaultActor, CancellationToken.None);
        return new UnlockResponse { AlreadyUnlocked = !unlocked };
    }

    public Task<VerifyAuditResponse> VerifyAuditAsync() =>
        _administration.VerifyAuditAsync(_store.Vault.IsLocked ? _masterKey.Require("audit verify on a locked-down installation") : null,
            CancellationToken.None);

    public Task<PurgeRequestsResponse> PurgeRequestsAsync(PurgeRequestsRequest request) =>
        _administration.PurgeRequestsAsync(request, CancellationToken.None);

    public Task<ProduceMonitoringReportResponse> ProduceMonitoringReportAsync(ProduceMonitoringReportRequest request) =>
        _administration.ProduceMonitoringReportAsync(request, CancellationToken.None);

    public Task<Contract.V1.BackupSummary> CreateBackupAsync(Func<ReadOnlyMemory<byte>, CancellationToken, Task> emit) =>
        _backups.CreateBackupAsync(emit, CancellationToken.None);

    public IAsyncEnumerable<IReadOnlyList<string>> ExportPurgeLogAsync() => _backups.ExportPurgeLogAsync(CancellationToken.None);

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        return ValueTask.CompletedTask;
    }
}
