using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.Client;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hotline.Benchmarks;

/// <summary>
/// The real server in this process on Kestrel at 127.0.0.1, port chosen by the OS, with a fresh
/// data directory and the two accounts the benchmark calls as, each with its own bearer token.
/// Its logs are switched off so the output holds figures only, and its intake limits are lifted.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ScratchDirectory _data;

    private BenchServer(WebApplication app, ScratchDirectory data)
    {
        _app = app;
        _data = data;
        Address = new Uri(HotlineHost.NetworkAddresses(app).Single());
    }

    public Uri Address { get; }

    /// <param name="postgres">A PostgreSQL connection string: the server keeps its data there (Hotline:Store postgres); several servers may share one.</param>
    public static async Task<BenchServer> StartAsync(string? postgres = null)
    {
        var data = new ScratchDirectory();
        string[] store = postgres is null ? [] : ["--Hotline:Store", "postgres", "--Hotline:Postgres:ConnectionString", postgres];
        // Intake limits are raised far above what the benchmark offers: it measures storage and
        // transport, and the default flood control (50 submits/s in all) would measure only itself.
        var app = HotlineHost.Build(
            [
                "--urls", "http://127.0.0.1:0", "--Hotline:DataDirectory", data.Sub("data"), "--Hotline:MasterKeyFile", BenchKeys.WriteFile(data.Sub("master.key")),
                "--Hotline:Intake:PerCallerPerSecond", "1000000", "--Hotline:Intake:Burst", "1000000",
                "--Hotline:Intake:GlobalPerSecond", "1000000", "--Hotline:Intake:GlobalBurst", "1000000",
                // Every watcher of the fan-out rows is the same account; the per-person cap would refuse all but a few.
                "--Hotline:Watch:MaxStreamsPerCaller", "10000", "--Hotline:Watch:MaxStreams", "10000",
                .. store,
            ],
            builder => builder.Logging.ClearProviders());
        // As the server's own start does: the store first (PostgreSQL opens asynchronously), then the host.
        await HotlineHost.OpenStoreAsync(app, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var directory = app.Services.GetRequiredService<OperatorDirectory>();
        // A second server on a shared database finds the accounts the first added.
        foreach (var (id, role) in new[] { (Synthetic.IntakeCaller, Role.Intake), (Synthetic.OperatorCaller, Role.Operator) }.Where(a => directory.Find(a.Item1) is null))
        {
            await directory.ExecuteAsync(new AddOperatorCommand(id, id, role, AccessTokens.Hash(TokenOf(id))), CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(30));
        }
        return new BenchServer(app, data);
    }

    /// <summary>A channel with a connection of its own, as a separate gateway or workstation would have.</summary>
    public GrpcChannel NewChannel() => HotlineChannel.Create(Address);

    /// <summary>Call options for a unary call made as <paramref name="operatorId"/>.</summary>
    public static CallOptions As(string operatorId) =>
        new(Bearer(operatorId), deadline: DateTime.UtcNow.AddSeconds(30));

    /// <summary>Like <see cref="As"/> without a deadline, for watch streams.</summary>
    public static CallOptions Streaming(string operatorId, CancellationToken cancellationToken) =>
        new(Bearer(operatorId), cancellationToken: cancellationToken);

    private static readonly Dictionary<string, string> Tokens = new(StringComparer.Ordinal)
    {
        [Synthetic.IntakeCaller] = AccessTokens.New(),
        [Synthetic.OperatorCaller] = AccessTokens.New(),
    };

    private static string TokenOf(string operatorId) => Tokens[operatorId];

    private static Metadata Bearer(string operatorId) => new() { { "authorization", "Bearer " + TokenOf(operatorId) } };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        _data.Dispose();
    }
}
