using System.Diagnostics;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Tests.StoreSelection;
using Hotline.Storage;
using Hotline.Storage.Postgres;
using Hotline.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// Two real server processes on one PostgreSQL database, each with its own data directory: an
/// operator disabled through one server's admin command line is refused by the other at once, and
/// the watch stream it held there ends; a lockdown through one stops both with the lockdown's exit code.
/// </summary>
public sealed class SharedSecurityProcessTests(PostgresClusterFixture postgres, ITestOutputHelper output)
    : IClassFixture<PostgresClusterFixture>, IDisposable
{
    private const string Operator = "anna";
    private const string Supervisor = "lena";
    private readonly List<string> _dataDirectories = [];

    [Fact]
    public async Task DisabledThroughServerA_IsRefusedByServerB_AndItsWatchOnBEnds_ThenALockdownThroughAStopsBoth()
    {
        var database = postgres.Cluster.CreateDatabase();
        await SeedAsync(database);
        var (dataA, dataB) = (NewDataDirectory(), NewDataDirectory());
        await using var serverA = await StartAsync(dataA, database);
        await using var serverB = await StartAsync(dataB, database);
        var operatorsOnB = serverB.Operators;
        var me = await operatorsOnB.WhoAmIAsync(new WhoAmIRequest(), ServerProcess.As(Operator)).ResponseAsync.DefaultTimeout();
        Assert.Equal("operators/" + Operator, me.Operator.Name);
        using var watching = new CancellationTokenSource();
        using var watch = serverB.Requests.WatchRequests(new WatchRequestsRequest(), new CallOptions(HotlineTestServer.Bearer(Operator), cancellationToken: watching.Token));
        var snapshot = await new WatchFeed(watch).ReadSnapshotAsync();
        Assert.Empty(snapshot.Requests);

        var disabling = Stopwatch.StartNew();
        var disabled = await ServerProcess.AdministerAsync(["operators", "disable", Operator, "--data-dir", dataA, .. StoreArguments(database)]);
        Assert.True(disabled.ExitCode == 0, disabled.Output);
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await watch.ResponseStream.MoveNext(watching.Token).DefaultTimeout())
            {
            }
            throw new InvalidOperationException("The watch ended without an error.");
        });
        output.WriteLine($"disabled through A; B ended the watch after {disabling.Elapsed.TotalMilliseconds:F0} ms with {ended.StatusCode}");
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated,
            () => operatorsOnB.WhoAmIAsync(new WhoAmIRequest(), ServerProcess.As(Operator)).ResponseAsync);

        var locked = await ServerProcess.AdministerAsync(["lockdown", "--data-dir", dataA, .. StoreArguments(database)]);
        Assert.True(locked.ExitCode == 0, locked.Output);
        Assert.Equal(ExitCodes.LockedDown, await serverA.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ExitCodes.LockedDown, await serverB.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Another server locked the installation down", serverB.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(HotlineTestServer.TokenOf(Operator)[3..20], serverA.Output + serverB.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var directory in _dataDirectories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string[] StoreArguments(string database) => ["--Hotline:Store", "postgres", "--Hotline:Postgres:ConnectionString", database];

    private string NewDataDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "hotline-shared-" + Guid.NewGuid().ToString("N"));
        _dataDirectories.Add(directory);
        return directory;
    }

    private static async Task<ServerProcess> StartAsync(string dataDirectory, string database)
    {
        var server = ServerProcess.Launch(dataDirectory, StoreArguments(database));
        await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    private static async Task SeedAsync(string database)
    {
        using var store = await PostgresRequestStore.OpenAsync(database, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance,
            NullLogger.Instance, Convert.FromBase64String(HotlineTestServer.MasterKey), reReadInterval: null, CancellationToken.None).DefaultTimeout();
        foreach (var (id, role) in new[] { (Operator, Role.Operator), (Supervisor, Role.Supervisor) })
        {
            await store.ExecuteAsync(new AddOperatorCommand(id, id, role, AccessTokens.Hash(HotlineTestServer.TokenOf(id))), CancellationToken.None).DefaultTimeout();
        }
    }
}
