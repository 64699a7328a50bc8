using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Tests;

namespace Hotline.Benchmarks;

/// <summary>
/// The built server binary in a child process on 127.0.0.1, as an installation runs it (its own
/// garbage collector settings, its own logs), over a data directory the benchmark filled. Its
/// memory and CPU are read from /proc, so they are the server's alone, never the client's.
/// </summary>
internal sealed partial class ServerChild : IAsyncDisposable
{
    /// <summary>Linux's USER_HZ: the unit of utime and stime in /proc/PID/stat.</summary>
    private const double TicksPerSecond = 100;

    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerChild(Process process)
    {
        _process = process;
    }

    public Uri Address => _listening.Task.Result;

    /// <summary>Resident memory now.</summary>
    public double RssBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024.0;
        }
    }

    /// <summary>CPU time the server has used so far, user and system, in milliseconds (10 ms resolution).</summary>
    public double CpuMilliseconds
    {
        get
        {
            var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / TicksPerSecond * 1000;
        }
    }

    /// <summary>Starts the server on <paramref name="dataDirectory"/> with the master key in <paramref name="keyFile"/> and waits until it listens.</summary>
    public static async Task<ServerChild> StartAsync(string dataDirectory, string keyFile, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(BuiltBinaries.Server)!,
        };
        // Intake limits are lifted: the benchmark measures storage and transport, not flood control.
        string[] defaults = [BuiltBinaries.Server, "--listen", "http://127.0.0.1:0", "--data-dir", dataDirectory,
            "--Hotline:MasterKeyFile", keyFile,
            "--Hotline:Intake:PerCallerPerSecond", "1000000", "--Hotline:Intake:Burst", "1000000",
            "--Hotline:Intake:GlobalPerSecond", "1000000", "--Hotline:Intake:GlobalBurst", "1000000"];
        foreach (var arg in defaults.Concat(arguments))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment.Remove("HOTLINE_MASTER_KEY");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ServerChild(process);
        // The server logs no request content; its output is read only for the address, and dropped.
        process.OutputDataReceived += (_, e) => child.Watch(e.Data);
        process.ErrorDataReceived += (_, e) => child.Watch(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var first = await Task.WhenAny(child._listening.Task, process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(60));
        if (first != child._listening.Task)
        {
            throw new InvalidOperationException($"The server exited with status {process.ExitCode} before listening.");
        }
        return child;
    }

    /// <summary>A channel with connections of its own, as one workstation or gateway would have.</summary>
    public GrpcChannel NewChannel() => GrpcChannel.ForAddress(Address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        },
    });

    /// <summary>SIGTERM, then waits for a clean exit (the store checkpoints and closes).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await StopAsync();
            }
            catch (TimeoutException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }

    private void Watch(string? line)
    {
        if (line is not null && ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Hotline listening on (http\S+)")]
    private static partial Regex ListeningLine();
}

/// <summary>Bearer tokens of the accounts a filled data directory holds.</summary>
internal static class ScaleCallers
{
    public const string Intake = Synthetic.IntakeCaller;
    public const string Operator = Synthetic.OperatorCaller;
    public const string Supervisor = "lena";

    /// <summary>One account per console of the "consoles connecting at once" figure: a person may hold only a few watch streams.</summary>
    public static readonly string[] Consoles = [.. Enumerable.Range(1, 10).Select(i => "console" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static readonly Dictionary<string, (Domain.Role Role, string Token)> Accounts =
        new[] { (Intake, Domain.Role.Intake), (Operator, Domain.Role.Operator), (Supervisor, Domain.Role.Supervisor) }
            .Concat(Consoles.Select(c => (c, Domain.Role.Operator)))
            .ToDictionary(a => a.Item1, a => (a.Item2, Domain.AccessTokens.New()), StringComparer.Ordinal);

    public static IEnumerable<(string Id, Domain.Role Role, string Token)> All => Accounts.Select(a => (a.Key, a.Value.Role, a.Value.Token));

    public static CallOptions As(string id, TimeSpan? deadline = null) =>
        new(new Metadata { { "authorization", "Bearer " + Accounts[id].Token } }, deadline: DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(60)));

    public static CallOptions Streaming(string id, CancellationToken cancellationToken) =>
        new(new Metadata { { "authorization", "Bearer " + Accounts[id].Token } }, cancellationToken: cancellationToken);
}
