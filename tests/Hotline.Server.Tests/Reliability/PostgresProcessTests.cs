using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Hotline.Contract.V1;
using Hotline.Server.Tests.StoreSelection;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// The real server binary on the PostgreSQL store: it starts, takes intake and streams it to a
/// watcher, and stops cleanly; a database it cannot use, or no connection string, stops it before
/// it listens, with a message that names the problem (and the setting), never the password.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class PostgresProcessTests(PostgresClusterFixture postgres) : IClassFixture<PostgresClusterFixture>, IDisposable
{
    private const string Password = "Pa55-never-printed";
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-pgproc-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ServerOnPostgres_ServesSubmitAndWatch_AndStopsCleanly()
    {
        var database = postgres.Cluster.CreateDatabase();
        await using var server = await ServerProcess.StartOnPostgresAsync(_dataDirectory, database);
        using var cts = new CancellationTokenSource();
        using var watch = server.Requests.WatchRequests(new WatchRequestsRequest(), HotlineTestServer.Streaming(ServerProcess.Operator, cts.Token));
        await ServerProcess.ReadToSnapshotEndAsync(watch);

        var receipt = await server.Intakes.SubmitRequestAsync(
            new SubmitRequestRequest { RequestId = "pg-1", Channel = Channel.Sms, ContactHandle = "+10000000000", Message = "help" },
            ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
        RequestChange? change = null;
        while (change is null && await watch.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
        {
            change = watch.ResponseStream.Current.EventCase == WatchRequestsResponse.EventOneofCase.Change ? watch.ResponseStream.Current.Change : null;
        }

        Assert.NotNull(change);
        Assert.Equal((receipt.Name, ChangeKind.Created), (change.Name, change.Kind));
        Assert.Contains("store PostgreSQL database hotline_", server.Output, StringComparison.Ordinal);
        await cts.CancelAsync();
        Assert.Equal(0, await server.TerminateAsync());
        Assert.DoesNotContain("help", server.Output.Replace("--help", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_OnPostgres_PurgesAClosedRequest_AndWatchersSeeItDeleted()
    {
        var database = postgres.Cluster.CreateDatabase();
        // About 1.7 seconds after closing, checked every 300 ms.
        await using var server = await ServerProcess.StartOnPostgresAsync(_dataDirectory, database,
            "--Hotline:RetentionDays", "0.00002", "--Hotline:RetentionCheckInterval", "00:00:00.300");
        var anna = ServerProcess.As(ServerProcess.Operator);
        var receipt = await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "pg-retained", Channel = Channel.Sms, Message = "closed soon" },
            ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = server.Requests.WatchRequests(new WatchRequestsRequest(), HotlineTestServer.Streaming(ServerProcess.Supervisor, cts.Token));
        await ServerProcess.ReadToSnapshotEndAsync(watch);
        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = receipt.Name }, anna).ResponseAsync.DefaultTimeout();
        await server.Requests.CloseRequestAsync(new CloseRequestRequest { Name = receipt.Name, Resolution = Resolution.Other, Comment = "done" }, anna).ResponseAsync.DefaultTimeout();

        var kinds = new List<ChangeKind>();
        while (!kinds.Contains(ChangeKind.Deleted) && await watch.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            if (watch.ResponseStream.Current.EventCase == WatchRequestsResponse.EventOneofCase.Change)
            {
                Assert.Equal(receipt.Name, watch.ResponseStream.Current.Change.Name);
                kinds.Add(watch.ResponseStream.Current.Change.Kind);
            }
        }

        Assert.Equal(ChangeKind.Deleted, kinds[^1]);
        Assert.Contains(ChangeKind.Closed, kinds);
        var gone = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => server.Requests.GetRequestAsync(
            new GetRequestRequest { Name = receipt.Name }, ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout());
        Assert.Equal(global::Grpc.Core.StatusCode.NotFound, gone.StatusCode);
        Assert.Contains("Retention purged 1 closed requests", server.Output, StringComparison.Ordinal);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task NothingListensAtTheDatabaseAddress_ExitsWith14_NamingTheDatabaseButNotThePassword()
    {
        var port = ClosedLoopbackPort();
        var connectionString = $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Database=hotline;Username=hotline;Password={Password};Timeout=5";

        var output = await RefusedAsync(ExitCodes.DatabaseUnavailable, ServerProcess.PostgresEnvironment(connectionString));

        Assert.Contains($"PostgreSQL (database hotline at 127.0.0.1:{port} as hotline) could not be used", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADatabaseThatDoesNotExist_ExitsWith14_SayingWhatTheServerAnswered()
    {
        var missing = postgres.Cluster.ConnectionString("no_such_database") + ";Password=" + Password;

        var output = await RefusedAsync(ExitCodes.DatabaseUnavailable, ServerProcess.PostgresEnvironment(missing));

        Assert.Contains("the server answered 3D000", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresWithoutAConnectionString_ExitsWith4_NamingTheSetting()
    {
        var output = await RefusedAsync(ExitCodes.ConfigurationError, new Dictionary<string, string?> { ["Hotline__Store"] = "postgres" });

        Assert.Contains("Hotline:Postgres:ConnectionString is not set", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dataDirectory), "a refused configuration creates nothing");
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private async Task<string> RefusedAsync(int exitCode, Dictionary<string, string?> environment)
    {
        await using var server = ServerProcess.Launch(_dataDirectory, environment);
        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == exitCode, $"exit {exit}, expected {exitCode}:\n{server.Output}");
        Assert.DoesNotContain("Hotline listening on", server.Output, StringComparison.Ordinal);
        return server.Output;
    }

    /// <summary>A loopback port nothing listens on: taken from the system, then let go.</summary>
    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
