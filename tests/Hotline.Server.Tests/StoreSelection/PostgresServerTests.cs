using Grpc.Health.V1;
using Hotline.Contract.V1;
using Hotline.Server.Admin;
using Hotline.Server.Store;
using Hotline.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests.StoreSelection;

/// <summary>
/// The server on the PostgreSQL store, in this process: intake, the live feed, health, retention's
/// and the admin's doors all work through the store interfaces; two servers share one database but
/// never a data directory; a backup is refused with what to do instead.
/// </summary>
public sealed class PostgresServerTests(PostgresClusterFixture postgres) : IClassFixture<PostgresClusterFixture>
{
    private const string Anna = "op01";

    [Fact]
    public async Task ServerOnPostgres_SubmitIsSeenByAWatcher_AndHealthIsServing()
    {
        await using var server = await StartAsync(postgres: postgres.Cluster.CreateDatabase());
        var first = await server.SubmitAsync("first");
        using var cts = new CancellationTokenSource();
        using var call = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        var feed = new WatchFeed(call);

        var snapshot = await feed.ReadSnapshotAsync();
        var live = await server.SubmitAsync("second");
        var change = await feed.NextChangeAsync();

        Assert.Equal([first.Name], snapshot.Requests.Keys);
        Assert.Equal(ChangeKind.Created, change.Kind);
        Assert.Equal(live.Name, change.Name);
        Assert.Equal(snapshot.Revision + 1, change.Revision);
        Assert.Equal("second", change.Request.Message);
        var health = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.DefaultTimeout();
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.StartsWith("PostgreSQL database hotline_", server.Services.GetRequiredService<StoreLifetime>().Describe, StringComparison.Ordinal);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task TwoServersOnOneDatabase_AChangeThroughOneReachesAWatcherOfTheOther()
    {
        var database = postgres.Cluster.CreateDatabase();
        await using var first = await StartAsync(postgres: database);
        await using var second = await StartAsync(postgres: database);
        using var cts = new CancellationTokenSource();
        using var call = second.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        var feed = new WatchFeed(call);
        var snapshot = await feed.ReadSnapshotAsync();

        var submitted = await first.SubmitAsync("through the first");
        await first.Requests.AssignRequestAsync(new AssignRequestRequest { Name = submitted.Name }, As(Anna)).ResponseAsync.DefaultTimeout();

        var created = await feed.NextChangeAsync();
        var assigned = await feed.NextChangeAsync();
        Assert.Equal((submitted.Name, ChangeKind.Created, snapshot.Revision + 1), (created.Name, created.Kind, created.Revision));
        Assert.Equal((submitted.Name, ChangeKind.Assigned, snapshot.Revision + 2), (assigned.Name, assigned.Kind, assigned.Revision));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task ASecondServerOnTheSameDataDirectory_IsRefused_EvenOnPostgres()
    {
        var database = postgres.Cluster.CreateDatabase();
        await using var first = await StartAsync(postgres: database);

        await Assert.ThrowsAsync<DataDirectoryInUseException>(() => StartAsync(postgres: database, dataDirectory: first.DataDirectory));
    }

    [Fact]
    public async Task Backup_OnPostgres_IsRefusedSayingWhatToUseInstead_AndWritesNothing()
    {
        await using var server = await StartAsync(postgres: postgres.Cluster.CreateDatabase());
        var target = server.DataDirectory + "-today.backup";

        var (exit, output) = await AdminAsync(server, "backup", "--out", target);

        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Contains("BACKUP_USE_DATABASE_TOOLS", output, StringComparison.Ordinal);
        Assert.Contains("pg_dump", output, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.False(File.Exists(new Hotline.Server.Backup.BackupOptions().KeyFilePath(server.DataDirectory)), "no backup key is made for a refused backup");
    }

    [Fact]
    public async Task AdminThroughTheSocket_AndWithNoServerRunning_BothWorkOnPostgres()
    {
        var database = postgres.Cluster.CreateDatabase();
        string dataDirectory;
        await using (var server = await StartAsync(postgres: database))
        {
            dataDirectory = server.DataDirectory;
            var (added, addOutput) = await AdminAsync(server, "operators", "add", "mira", "--name", "Mira", "--role", "operator");
            Assert.True(added == 0, addOutput);
            Assert.Contains("Server running", addOutput, StringComparison.Ordinal);
            await server.StopAsync();
        }
        // The server is gone; a new data directory, as an admin on another machine would have.
        var elsewhere = dataDirectory + "-admin";
        var (listed, listOutput) = await AdminAsync(elsewhere, database, "operators", "list");
        var (refused, restoreOutput) = await RestoreAsync(elsewhere, database);

        Assert.True(listed == 0, listOutput);
        Assert.Contains("No server running", listOutput, StringComparison.Ordinal);
        Assert.Contains("operators/mira", listOutput, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.ConfigurationError, refused);
        Assert.Contains("pg_restore", restoreOutput, StringComparison.Ordinal);
        Directory.Delete(elsewhere, recursive: true);
        File.Delete(elsewhere + ".master.key");
    }

    [Fact]
    public async Task AfterPgRestore_PurgesAgainWhatThePurgeLogNames_AndBeginsANewHistory_OnlyWithEveryServerStopped()
    {
        var database = postgres.Cluster.CreateDatabase();
        SubmitRequestResponse doomed, kept;
        long oldRevision;
        await using (var server = await StartAsync(postgres: database))
        {
            doomed = await server.SubmitAsync("purged after the backup");
            kept = await server.SubmitAsync("still wanted");
            oldRevision = server.Services.GetRequiredService<StoreLifetime>().CommittedRevision;
        }
        // The backup: a copy of the database as it was (what pg_dump and pg_restore would give).
        var restored = await CopyDatabaseAsync(database);
        var purgeLog = Path.Combine(Path.GetTempPath(), "hotline-purged-" + Guid.NewGuid().ToString("N") + ".txt");
        await using (var server = await StartAsync(postgres: database))
        {
            Assert.Equal(0, (await AdminAsync(server, "purge", doomed.Name, "--yes")).Exit);
            var (exported, exportOutput) = await AdminAsync(server, "purge-log", "--out", purgeLog);
            Assert.True(exported == 0, exportOutput);
        }

        await using (var early = await StartAsync(postgres: restored))
        {
            var (refused, refusal) = await RestoreAsync(early.DataDirectory + "-restore", restored, "--after-pg-restore", "--purge-log", purgeLog);
            Assert.Equal(ExitCodes.Refused, refused);
            Assert.Contains("stop every server first", refusal, StringComparison.Ordinal);
            File.Delete(early.DataDirectory + "-restore.master.key");
        }
        var restoreDirectory = Path.Combine(Path.GetTempPath(), "hotline-pgrestore-" + Guid.NewGuid().ToString("N"));
        var (exit, output) = await RestoreAsync(restoreDirectory, restored, "--after-pg-restore", "--purge-log", purgeLog);

        Assert.True(exit == 0, output);
        Assert.Contains("purged again 1 request(s) named in the purge log", output, StringComparison.Ordinal);
        await using var after = await StartAsync(postgres: restored);
        await RpcAssert.FailsAsync(global::Grpc.Core.StatusCode.NotFound, () =>
            after.Requests.GetRequestAsync(new GetRequestRequest { Name = doomed.Name }, As(Supervisor)).ResponseAsync);
        var wanted = await after.Requests.GetRequestAsync(new GetRequestRequest { Name = kept.Name }, As(Supervisor)).ResponseAsync.DefaultTimeout();
        Assert.Equal("still wanted", wanted.Request.Message);
        Assert.True(after.Services.GetRequiredService<StoreLifetime>().CommittedRevision > oldRevision + (1L << 40) - 1);
        using var cts = new CancellationTokenSource();
        using var resumed = after.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = oldRevision + 1 }, Streaming(Anna, cts.Token));
        var first = await new WatchFeed(resumed).NextAsync();
        Assert.Equal(WatchRequestsResponse.EventOneofCase.Reset, first.EventCase);
        await cts.CancelAsync();
        File.Delete(purgeLog);
        Directory.Delete(restoreDirectory, recursive: true);
        File.Delete(restoreDirectory + ".master.key");
    }

    /// <summary>A new database holding what <paramref name="connectionString"/>'s holds now; nothing may be connected to it.</summary>
    private static async Task<string> CopyDatabaseAsync(string connectionString)
    {
        var source = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var copy = source.Database + "_copy";
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var data = Npgsql.NpgsqlDataSource.Create(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await using var command = data.CreateCommand($"CREATE DATABASE {copy} TEMPLATE {source.Database}");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await command.ExecuteNonQueryAsync().DefaultTimeout();
                break;
            }
            catch (Npgsql.PostgresException ex) when (ex.SqlState == "55006" && attempt < 50)
            {
                // The stopped server's last connections are still closing.
                await Task.Delay(100);
            }
        }
        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Database = copy }.ConnectionString;
    }

    private static Task<(int Exit, string Output)> AdminAsync(HotlineTestServer server, params string[] args) =>
        AdminAsync(server.DataDirectory, ConnectionStringOf(server), args);

    private static string ConnectionStringOf(HotlineTestServer server) =>
        server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StoreOptions>>().Value.Postgres.ConnectionString
        ?? throw new InvalidOperationException("The test server runs on LiteDB.");

    private static async Task<(int Exit, string Output)> AdminAsync(string dataDirectory, string database, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AdminCommandLine.RunAsync([.. args, "--data-dir", dataDirectory, "--Hotline:Store", "postgres",
            "--Hotline:Postgres:ConnectionString", database, "--Hotline:MasterKeyFile", WriteMasterKeyFile(dataDirectory)], output, error).DefaultTimeout();
        return (exit, output.ToString() + error);
    }

    private static async Task<(int Exit, string Output)> RestoreAsync(string dataDirectory, string database, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] what = args.Length == 0 ? ["--from", "nothing.backup"] : args;
        var exit = await RestoreCommand.RunAsync(["restore", .. what, "--data-dir", dataDirectory, "--Hotline:Store", "postgres",
            "--Hotline:Postgres:ConnectionString", database, "--Hotline:MasterKeyFile", WriteMasterKeyFile(dataDirectory)], output, error).DefaultTimeout();
        return (exit, output.ToString() + error);
    }
}
