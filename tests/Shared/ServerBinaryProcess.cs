using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Hotline.Tests;

/// <summary>
/// The built server binary (<see cref="BuiltBinaries.Server"/>) in a child process on 127.0.0.1
/// with a port of its own: launched with `dotnet`, its output read line by line for the address
/// it listens on, its memory and CPU read from /proc so they are the server's alone, and stopped
/// with SIGTERM or SIGKILL. Compiled into each project that runs the server as a process; those
/// projects add their accounts, keys and clients in a subclass.
/// </summary>
internal partial class ServerBinaryProcess : IAsyncDisposable
{
    /// <summary>Arguments that lift every intake rate limit, for callers that submit as fast as they can; the limits have tests of their own.</summary>
    public static readonly string[] UnlimitedIntake =
    [
        "--Hotline:Intake:PerCallerPerSecond", "1000000", "--Hotline:Intake:Burst", "1000000",
        "--Hotline:Intake:GlobalPerSecond", "1000000", "--Hotline:Intake:GlobalBurst", "1000000",
    ];

    /// <summary>Linux's USER_HZ: the unit of utime and stime in /proc/PID/stat.</summary>
    private const double TicksPerSecond = 100;

    private readonly Process _process;
    private readonly StringBuilder? _output;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Uri? _address;

    /// <param name="arguments">The server's arguments after `--listen http://127.0.0.1:0`; a later `--listen` wins.</param>
    /// <param name="environment">Variables to set, or with a null value remove, in the inherited environment.</param>
    /// <param name="keepOutput">Keep everything the server prints for <see cref="Output"/>; otherwise it is read only for the address.</param>
    protected ServerBinaryProcess(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, bool keepOutput)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(BuiltBinaries.Server)!,
        };
        foreach (var arg in new[] { BuiltBinaries.Server, "--listen", "http://127.0.0.1:0" }.Concat(arguments))
        {
            info.ArgumentList.Add(arg);
        }
        SetEnvironment(info, environment);
        _output = keepOutput ? new StringBuilder() : null;
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The address from the server's "listening" line; only after <see cref="WaitUntilListeningAsync"/>.</summary>
    public Uri Address => _address
        ?? throw new InvalidOperationException("The server has not said where it listens yet; await WaitUntilListeningAsync first.");

    /// <summary>Everything the server has printed so far, standard error included; empty unless the output is kept.</summary>
    public string Output
    {
        get
        {
            if (_output is null)
            {
                return "";
            }
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Resident memory now.</summary>
    public double RssBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024.0;
        }
    }

    public double RssMegabytes => RssBytes / (1024.0 * 1024.0);

    /// <summary>CPU time the server has used so far, user and system, in milliseconds (10 ms resolution).</summary>
    public double CpuMilliseconds
    {
        get
        {
            var stat = File.ReadAllText($"/proc/{Pid}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / TicksPerSecond * 1000;
        }
    }

    /// <summary>Sets each variable in <paramref name="environment"/> on top of the inherited environment, or with a null value removes it.</summary>
    internal static void SetEnvironment(ProcessStartInfo info, IReadOnlyDictionary<string, string?> environment)
    {
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
    }

    /// <summary>Starts the process without waiting for it to listen.</summary>
    protected void Start()
    {
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Waits for the "listening" line; throws if the server exits first.</summary>
    public async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var first = await Task.WhenAny(_listening.Task, _process.WaitForExitAsync()).WaitAsync(timeout);
        if (first != _listening.Task)
        {
            throw new InvalidOperationException($"The server exited with {_process.ExitCode} before listening:\n{Output}");
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>SIGTERM, as systemd or `kill` sends, then waits for the exit; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            if (kill.ExitCode != 0 && !_process.HasExited)
            {
                throw new InvalidOperationException("kill -TERM failed.");
            }
        }
        return await WaitForExitAsync(timeout);
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    /// <summary>Kills the server if it is still running.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillHardAsync();
        }
        _process.Dispose();
        GC.SuppressFinalize(this);
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }
        if (_output is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            var address = new Uri(match.Groups[1].Value);
            _address ??= address;
            _listening.TrySetResult(address);
        }
    }

    [GeneratedRegex(@"Hotline listening on (http\S+)")]
    private static partial Regex ListeningLine();
}
