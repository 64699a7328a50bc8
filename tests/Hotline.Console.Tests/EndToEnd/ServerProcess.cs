using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.Client;
using Hotline.Contract.V1;
using Hotline.Tests;

namespace Hotline.Console.Tests.EndToEnd;

/// <summary>
/// The real server binary in a child process on 127.0.0.1 with a port of its own and a temporary
/// data directory; killed (this process only) and its data removed on dispose. Its accounts are
/// created first with the server's own admin command line, each token in an owner-only file.
/// </summary>
internal sealed class ServerProcess : ServerBinaryProcess
{
    private readonly string _dataDirectory;
    private readonly string _masterKey;
    private readonly bool _ownsData;
    private readonly string _tokens;
    private GrpcChannel? _channel;

    private ServerProcess(string dataDirectory, string masterKey, string[] settings, bool ownsData = true, string? postgres = null, string? tokens = null)
        : base(["--data-dir", dataDirectory, .. settings], ServerEnvironment(masterKey, postgres), keepOutput: true)
    {
        _dataDirectory = dataDirectory;
        _masterKey = masterKey;
        _ownsData = ownsData;
        _tokens = tokens ?? dataDirectory + "-tokens";
    }

    /// <summary>Where its data lives; its admin socket is there too.</summary>
    public string DataDirectory => _dataDirectory;

    public IntakeService.IntakeServiceClient Intake => new(Channel);

    public RequestService.RequestServiceClient Requests => new(Channel);

    private GrpcChannel Channel => _channel ??= HotlineChannel.Create(Address);

    /// <summary>The accounts every test server has: id, display name, role.</summary>
    private static readonly (string Id, string Name, string Role)[] Accounts =
    [
        ("anna", "Anna K.", "operator"),
        ("lena", "Lena S.", "supervisor"),
        ("web-form", "Web form", "intake"),
    ];

    /// <summary>The owner-only file holding <paramref name="operatorId"/>'s token, as an admin would hand it over.</summary>
    public string TokenFile(string operatorId) => Path.Combine(_tokens, operatorId + ".token");

    /// <param name="settings">More command-line settings for the server, such as `--Hotline:Escalation:Urgent:First 00:00:02`.</param>
    public static async Task<ServerProcess> StartAsync(params string[] settings)
    {
        var data = Path.Combine(Path.GetTempPath(), "hotline-console-e2e-" + Guid.NewGuid().ToString("N"));
        // A fresh data directory each run, so a fresh master key, given to the admin command line and the server alike.
        var masterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        foreach (var (id, name, role) in Accounts)
        {
            await AdministerAsync(masterKey, "operators", "add", id, "--name", name, "--role", role,
                "--token-file", Path.Combine(data + "-tokens", id + ".token"), "--data-dir", data);
        }
        var server = new ServerProcess(data, masterKey, settings);
        server.Start();
        await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    /// <summary>
    /// Another server process on this one's data directory and key, listening on
    /// <paramref name="listen"/>: how an installation on the embedded store comes back on another
    /// address once this one has died (its lock dies with it). The data stays this one's to remove.
    /// </summary>
    public async Task<ServerProcess> StartSuccessorAsync(Uri listen)
    {
        var successor = new ServerProcess(_dataDirectory, _masterKey, ["--listen", listen.ToString()], ownsData: false);
        successor.Start();
        await successor.WaitUntilListeningAsync(TimeSpan.FromSeconds(30));
        return successor;
    }

    /// <summary>
    /// Adds the accounts to a new installation on the PostgreSQL database at
    /// <paramref name="connectionString"/> with the admin command line (run on a data directory
    /// of its own, as on a machine with no server running), their tokens in <paramref name="tokens"/>.
    /// </summary>
    public static async Task AddAccountsOnPostgresAsync(string connectionString, string masterKey, string tokens)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "hotline-console-e2e-admin-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var (id, name, role) in Accounts)
            {
                await AdministerAsync(ServerEnvironment(masterKey, connectionString), "operators", "add", id, "--name", name, "--role", role,
                    "--token-file", Path.Combine(tokens, id + ".token"), "--data-dir", scratch);
            }
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>One more server of the installation on the PostgreSQL database, with a data directory of its own.</summary>
    public static async Task<ServerProcess> StartOnPostgresAsync(string connectionString, string masterKey, string tokens)
    {
        var data = Path.Combine(Path.GetTempPath(), "hotline-console-e2e-" + Guid.NewGuid().ToString("N"));
        var server = new ServerProcess(data, masterKey, [], ownsData: true, connectionString, tokens);
        server.Start();
        await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    public CallOptions As(string operatorId) =>
        new(new Metadata { { "authorization", "Bearer " + File.ReadAllText(TokenFile(operatorId)).Trim() } }, deadline: DateTime.UtcNow.AddSeconds(15));

    private static Task AdministerAsync(string masterKey, params string[] args) => AdministerAsync(ServerEnvironment(masterKey, null), args);

    private static async Task AdministerAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var run = await ServerCommandLine.RunAsync(args, environment);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"hotline-server {string.Join(' ', args)} failed: {run.Output}");
        }
    }

    /// <summary>The master key, and with <paramref name="postgres"/> the store, as a unit file would give them.</summary>
    private static Dictionary<string, string?> ServerEnvironment(string masterKey, string? postgres) => postgres is null
        ? new() { ["HOTLINE_MASTER_KEY"] = masterKey }
        : new() { ["HOTLINE_MASTER_KEY"] = masterKey, ["Hotline__Store"] = "postgres", ["Hotline__Postgres__ConnectionString"] = postgres };

    public override async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await base.DisposeAsync();
        if (!_ownsData)
        {
            return;
        }
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
            if (Directory.Exists(_dataDirectory + "-tokens"))
            {
                Directory.Delete(_dataDirectory + "-tokens", recursive: true);
            }
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless; the test result is what matters.
        }
    }
}
