using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.Client;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Storage;
using Hotline.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// The real server binary in a child process, on 127.0.0.1 with a port of its own. Before the
/// first start on a data directory its accounts are written through the store, with the same
/// per-run tokens <see cref="HotlineTestServer.TokenOf"/> hands out. Everything it prints is kept.
/// </summary>
internal sealed class ServerProcess : ServerBinaryProcess
{
    public const string Intake = "web-form";
    public const string Operator = "anna";
    public const string Supervisor = "lena";

    private GrpcChannel? _channel;

    private ServerProcess(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
        : base(arguments, environment, keepOutput: true)
    {
    }

    public IntakeService.IntakeServiceClient Intakes => new(Channel);

    public RequestService.RequestServiceClient Requests => new(Channel);

    public OperatorService.OperatorServiceClient Operators => new(Channel);

    private GrpcChannel Channel => _channel ??= HotlineChannel.Create(Address);

    public static Task<ServerProcess> StartAsync(string dataDirectory, params string[] arguments) =>
        StartAsync(dataDirectory, new Dictionary<string, string?>(), arguments);

    public static async Task<ServerProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        await SeedAsync(dataDirectory, MasterKeyIn(environment));
        var server = Launch(dataDirectory, environment, arguments);
        await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    public static ServerProcess Launch(string dataDirectory, params string[] arguments) =>
        Launch(dataDirectory, new Dictionary<string, string?>(), arguments);

    /// <summary>Starts the binary without waiting for it to listen (for runs that are expected to be refused); <paramref name="arguments"/> override the defaults.</summary>
    /// <param name="environment">Variables to set (or, with a null value, remove) on top of the defaults, such as the master key.</param>
    public static ServerProcess Launch(string dataDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var server = new ServerProcess(["--data-dir", dataDirectory, .. UnlimitedIntake, .. arguments], ServerEnvironment(environment));
        server.Start();
        return server;
    }

    /// <summary>
    /// Runs the binary once for an admin verb (<paramref name="arguments"/>, data directory included)
    /// with the environment a server gets, so it opens what the servers here seal.
    /// </summary>
    /// <param name="environment">Variables to set (or, with a null value, remove) on top of the defaults, such as another master key.</param>
    /// <param name="timeout">How long the verb may take before it is killed; 60 s unless given.</param>
    public static Task<CommandLineResult> AdministerAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null) =>
        ServerCommandLine.RunAsync(arguments, ServerEnvironment(environment), timeout);

    /// <summary>
    /// What every server and admin run here gets: workstation GC (two cores are shared by the whole
    /// suite) and the test master key, then <paramref name="overrides"/> on top.
    /// </summary>
    public static Dictionary<string, string?> ServerEnvironment(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_gcServer"] = "0",
            ["HOTLINE_MASTER_KEY"] = HotlineTestServer.MasterKey,
        };
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }
        return environment;
    }

    public static CallOptions As(string operatorId) =>
        new(HotlineTestServer.Bearer(operatorId), deadline: DateTime.UtcNow.AddSeconds(15));

    /// <summary>Opens the stopped server's data directory and adds the accounts it lacks.</summary>
    public static async Task SeedAsync(string dataDirectory, byte[]? masterKey = null)
    {
        using var store = LiteDbRequestStore.Open(dataDirectory, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance, NullLogger.Instance,
            masterKey ?? Convert.FromBase64String(HotlineTestServer.MasterKey));
        var existing = (await store.ReadOperatorsAsync(CancellationToken.None)).Select(o => o.Id).ToHashSet();
        foreach (var (id, role) in new[] { (Intake, Role.Intake), (Operator, Role.Operator), (Supervisor, Role.Supervisor) })
        {
            if (!existing.Contains(id))
            {
                await store.ExecuteAsync(new AddOperatorCommand(id, id, role, AccessTokens.Hash(HotlineTestServer.TokenOf(id))), CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Starts the binary on the PostgreSQL store at <paramref name="connectionString"/> (given through
    /// the environment, as a unit file would), its accounts added to the database first.
    /// </summary>
    public static async Task<ServerProcess> StartOnPostgresAsync(string dataDirectory, string connectionString, params string[] arguments)
    {
        await SeedPostgresAsync(connectionString);
        var server = Launch(dataDirectory, PostgresEnvironment(connectionString), arguments);
        await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    /// <summary>The environment that puts a server on the PostgreSQL store at <paramref name="connectionString"/>.</summary>
    public static Dictionary<string, string?> PostgresEnvironment(string connectionString) => new()
    {
        ["Hotline__Store"] = "postgres",
        ["Hotline__Postgres__ConnectionString"] = connectionString,
    };

    /// <summary>Opens the PostgreSQL store as one more server would and adds the accounts it lacks.</summary>
    /// <param name="more">Accounts beyond the intake, operator and supervisor, each with its per-run token.</param>
    public static async Task SeedPostgresAsync(string connectionString, IEnumerable<(string Id, Role Role)>? more = null)
    {
        using var store = await Storage.Postgres.PostgresRequestStore.OpenAsync(connectionString, new RequestStoreOptions(), TimeProvider.System,
            NoChangeListener.Instance, NullLogger.Instance, Convert.FromBase64String(HotlineTestServer.MasterKey), reReadInterval: null, CancellationToken.None);
        var existing = (await store.ReadOperatorsAsync(CancellationToken.None)).Select(o => o.Id).ToHashSet();
        foreach (var (id, role) in new[] { (Intake, Role.Intake), (Operator, Role.Operator), (Supervisor, Role.Supervisor) }.Concat(more ?? []))
        {
            if (!existing.Contains(id))
            {
                await store.ExecuteAsync(new AddOperatorCommand(id, id, role, AccessTokens.Hash(HotlineTestServer.TokenOf(id))), CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Submits <paramref name="count"/> requests from 32 callers at once, each message
    /// <paramref name="messageLength"/> characters of two-byte text led by its number, with intake
    /// request ids <paramref name="idPrefix"/>-N from <paramref name="firstId"/> on.
    /// </summary>
    public async Task SubmitManyAsync(int count, int messageLength, string idPrefix, int firstId = 0)
    {
        var body = new string('ж', messageLength - 12);
        var intake = Intakes;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var id = firstId + i;
                await intake.SubmitRequestAsync(new SubmitRequestRequest { RequestId = $"{idPrefix}-{id}", Channel = Hotline.Contract.V1.Channel.WebForm, Message = $"{id:D10} {body}" },
                    As(Intake));
            }
        }))).WaitAsync(TimeSpan.FromMinutes(3));
    }

    /// <summary>Reads a watch up to its snapshot's end; returns how many requests the snapshot held.</summary>
    public static async Task<int> ReadToSnapshotEndAsync(AsyncServerStreamingCall<WatchRequestsResponse> call)
    {
        var requests = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
        {
            var message = call.ResponseStream.Current;
            if (message.EventCase == WatchRequestsResponse.EventOneofCase.Snapshot)
            {
                requests += message.Snapshot.Requests.Count;
            }
            else if (message.EventCase == WatchRequestsResponse.EventOneofCase.SnapshotEnd)
            {
                return requests;
            }
        }
        throw new InvalidOperationException("The watch ended before its snapshot did.");
    }

    /// <summary>The key the server will be given, so the seeding store seals with the same one.</summary>
    private static byte[]? MasterKeyIn(IReadOnlyDictionary<string, string?> environment) =>
        environment.GetValueOrDefault("Hotline__MasterKeyFile") is { } file ? Convert.FromBase64String(File.ReadAllText(file).Trim())
        : environment.GetValueOrDefault("HOTLINE_MASTER_KEY") is { } key ? Convert.FromBase64String(key)
        : null;

    public override async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await base.DisposeAsync();
    }
}
