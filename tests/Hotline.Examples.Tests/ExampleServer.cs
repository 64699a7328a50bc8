using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.Client;
using Hotline.Contract.V1;
using Hotline.Tests;

namespace Hotline.Examples.Tests;

/// <summary>
/// The real server binary on 127.0.0.1 with a data directory and master key of its own, and the
/// accounts an integrator would be given, each created with the admin verb
/// (`Hotline.Server operators add ID --role ROLE --token-file FILE`) through the running server's
/// admin socket, exactly as docs/integrating.md tells an installation's admin to.
/// </summary>
internal sealed class ExampleServer : ServerBinaryProcess
{
    public const string Intake = "web-form";
    public const string Feed = "feed-bot";
    public const string Operator = "anna";

    private readonly string _directory;
    private readonly string _masterKey;
    private GrpcChannel? _channel;

    private ExampleServer(string directory, string masterKey, IEnumerable<string> arguments)
        : base(["--data-dir", Path.Combine(directory, "data"), .. arguments],
            new Dictionary<string, string?> { ["HOTLINE_MASTER_KEY"] = masterKey, ["DOTNET_gcServer"] = "0" }, keepOutput: true)
    {
        _directory = directory;
        _masterKey = masterKey;
    }

    /// <summary>Where the examples find the server: `host:port`.</summary>
    public string HostPort => $"{Address.Host}:{Address.Port}";

    /// <summary>A scratch directory of this server's, for token files, messages and state files.</summary>
    public string Scratch => _directory;

    public RequestService.RequestServiceClient Requests => new(Channel);

    public IntakeService.IntakeServiceClient Intakes => new(Channel);

    private GrpcChannel Channel => _channel ??= HotlineChannel.Create(Address, Pins);

    /// <summary>The certificate this test's own client pins, for a server on https://.</summary>
    public IReadOnlyCollection<PinnedCertificate>? Pins { get; set; }

    /// <param name="arguments">Extra server arguments, such as intake rate limits.</param>
    public static async Task<ExampleServer> StartAsync(params string[] arguments)
    {
        var directory = Directory.CreateTempSubdirectory("hotline-examples-").FullName;
        var server = new ExampleServer(directory, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), arguments);
        server.Start();
        await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(
            server.AddAccountAsync(Intake, "intake"),
            server.AddAccountAsync(Feed, "operator"),
            server.AddAccountAsync(Operator, "operator"));
        return server;
    }

    /// <summary>The file the admin verb wrote the account's token to (owner-only).</summary>
    public string TokenFile(string account) => Path.Combine(_directory, account + ".token");

    public string Token(string account) => File.ReadAllText(TokenFile(account)).Trim();

    public CallOptions As(string account) =>
        new(new Metadata { { "authorization", "Bearer " + Token(account) } }, deadline: DateTime.UtcNow.AddSeconds(20));

    private async Task AddAccountAsync(string account, string role)
    {
        var admin = await ServerCommandLine.RunAsync(
            ["operators", "add", account, "--name", account, "--role", role, "--token-file", TokenFile(account), "--data-dir", Path.Combine(_directory, "data")],
            new Dictionary<string, string?> { ["HOTLINE_MASTER_KEY"] = _masterKey });
        if (admin.ExitCode != 0)
        {
            throw new InvalidOperationException($"operators add {account} exited with {admin.ExitCode}: {admin.Output}");
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A scratch directory left in /tmp is harmless; the test's outcome is what matters.
        }
    }
}
