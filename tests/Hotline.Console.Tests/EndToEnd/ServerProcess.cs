using System.Diagnostics;
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
    private GrpcChannel? _channel;

    private ServerProcess(string dataDirectory, string masterKey, string[] settings, bool ownsData = true)
        : base(["--data-dir", dataDirectory, .. settings], new Dictionary<string, string?> { ["HOTLINE_MASTER_KEY"] = masterKey }, keepOutput: true)
    {
        _dataDirectory = dataDirectory;
        _masterKey = masterKey;
        _ownsData = ownsData;
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
    public string TokenFile(string operatorId) => Path.Combine(_dataDirectory + "-tokens", operatorId + ".token");

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

    public CallOptions As(string operatorId) =>
        new(new Metadata { { "authorization", "Bearer " + File.ReadAllText(TokenFile(operatorId)).Trim() } }, deadline: DateTime.UtcNow.AddSeconds(15));

    private static async Task AdministerAsync(string masterKey, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args.Prepend(BuiltBinaries.Server))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["HOTLINE_MASTER_KEY"] = masterKey;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"hotline-server {string.Join(' ', args)} failed: {await output}{await error}");
        }
    }

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
            Directory.Delete(_dataDirectory + "-tokens", recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless; the test result is what matters.
        }
    }
}
