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

    private static async Task<(int Exit, string Output)> RestoreAsync(string dataDirectory, string database)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await RestoreCommand.RunAsync(["restore", "--from", "nothing.backup", "--data-dir", dataDirectory, "--Hotline:Store", "postgres",
            "--Hotline:Postgres:ConnectionString", database], output, error).DefaultTimeout();
        return (exit, output.ToString() + error);
    }
}
