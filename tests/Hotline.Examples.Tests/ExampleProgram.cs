using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Hotline.Examples.Tests;

/// <summary>
/// One run of an example program (python3, node, curl, the JSON-lines adapter): its standard output
/// read as JSON lines as they come, its standard error kept for the failure message. Killed, with
/// its children, if still running when disposed.
/// </summary>
internal sealed class ExampleProgram : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _error = new();
    private readonly List<string> _seen = [];

    private ExampleProgram(Process process) => _process = process;

    public int ExitCode => _process.ExitCode;

    /// <summary>What it wrote to standard error so far.</summary>
    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    public static ExampleProgram Start(string program, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var run = new ExampleProgram(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                run._lines.Writer.TryComplete();
            }
            else
            {
                run._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (run._error)
                {
                    run._error.AppendLine(e.Data);
                }
            }
        };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot run {program}: {e.Message}. `bash .ci/run` installs the examples' tools.", e);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }
        return run;
    }

    /// <summary>The next JSON line on standard output; fails, with everything it printed, if none comes in time.</summary>
    public async Task<JsonElement> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cancel.Token))
            {
                if (_lines.Reader.TryRead(out var line))
                {
                    _seen.Add(line);
                    if (line.StartsWith('{'))
                    {
                        return JsonDocument.Parse(line).RootElement.Clone();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No line in time. {Transcript}");
        }
        throw new InvalidOperationException($"The program ended without another line. {Transcript}");
    }

    /// <summary>Reads JSON lines until one satisfies <paramref name="match"/>.</summary>
    public async Task<JsonElement> NextWhereAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var line = await NextAsync(deadline - DateTime.UtcNow);
            if (match(line))
            {
                return line;
            }
        }
    }

    /// <summary>Waits until standard error holds <paramref name="text"/>.</summary>
    public async Task WaitForErrorAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!Error.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"stderr never said \"{text}\". {Transcript}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL, as in a crash: nothing of the program's own runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Waits for the exit; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The program did not exit in time. {Transcript}");
        }
        return _process.ExitCode;
    }

    /// <summary>Every JSON line still to come, after the exit.</summary>
    public async Task<List<JsonElement>> RemainingAsync()
    {
        await WaitForExitAsync();
        var lines = new List<JsonElement>();
        await foreach (var line in _lines.Reader.ReadAllAsync())
        {
            _seen.Add(line);
            if (line.StartsWith('{'))
            {
                lines.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }
        return lines;
    }

    /// <summary>What it printed, for failure messages; the examples never print a message or contact handle.</summary>
    public string Transcript => $"stdout so far:\n{string.Join('\n', _seen)}\nstderr:\n{Error}";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        _process.Dispose();
    }
}
