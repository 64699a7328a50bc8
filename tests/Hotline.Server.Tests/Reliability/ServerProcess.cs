using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
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
internal sealed partial class ServerProcess : IAsyncDisposable
{
    public const string Intake = "web-form";
    public const string Operator = "anna";
    public const string Supervisor = "lena";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GrpcChannel? _channel;

    private ServerProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The process's resident memory now, from /proc.</summary>
    public double RssMegabytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            return kilobytes / 1024.0;
        }
    }

    public Uri Address => _listening.Task.Result;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public IntakeService.IntakeServiceClient Intakes => new(Channel);

    public RequestService.RequestServiceClient Requests => new(Channel);

    private GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Address);

    public static Task<ServerProcess> StartAsync(string dataDirectory, params string[] arguments) =>
        StartAsync(dataDirectory, new Dictionary<string, string?>(), arguments);

    public static async Task<ServerProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        await SeedAsync(dataDirectory, MasterKeyIn(environment));
        var server = Launch(dataDirectory, environment, arguments);
        var started = await Task.WhenAny(server._listening.Task, server._process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(30));
        if (started != server._listening.Task)
        {
            throw new InvalidOperationException($"The server exited with {server._process.ExitCode} before listening:\n{server.Output}");
        }
        return server;
    }

    public static ServerProcess Launch(string dataDirectory, params string[] arguments) =>
        Launch(dataDirectory, new Dictionary<string, string?>(), arguments);

    /// <summary>Starts the binary without waiting for it to listen (for runs that are expected to be refused); <paramref name="arguments"/> override the defaults.</summary>
    /// <param name="environment">Variables to set (or, with a null value, remove) on top of the defaults, such as the master key.</param>
    public static ServerProcess Launch(string dataDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(BuiltBinaries.Server)!,
        };
        // The writers here submit as fast as they can; intake rate limits have tests of their own.
        string[] defaults = [BuiltBinaries.Server, "--listen", "http://127.0.0.1:0", "--data-dir", dataDirectory,
            "--Hotline:Intake:PerCallerPerSecond", "1000000", "--Hotline:Intake:Burst", "1000000",
            "--Hotline:Intake:GlobalPerSecond", "1000000", "--Hotline:Intake:GlobalBurst", "1000000"];
        foreach (var arg in defaults.Concat(arguments))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["HOTLINE_MASTER_KEY"] = HotlineTestServer.MasterKey;
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => server.Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
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

    /// <summary>The key the server will be given, so the seeding store seals with the same one.</summary>
    private static byte[]? MasterKeyIn(IReadOnlyDictionary<string, string?> environment) =>
        environment.GetValueOrDefault("Hotline__MasterKeyFile") is { } file ? Convert.FromBase64String(File.ReadAllText(file).Trim())
        : environment.GetValueOrDefault("HOTLINE_MASTER_KEY") is { } key ? Convert.FromBase64String(key)
        : null;

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>SIGTERM, as systemd or `kill` sends; returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException("kill -TERM failed.");
            }
        }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Hotline listening on (http\S+)")]
    private static partial Regex ListeningLine();
}
