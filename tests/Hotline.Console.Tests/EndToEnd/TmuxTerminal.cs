using System.Diagnostics;

namespace Hotline.Console.Tests.EndToEnd;

/// <summary>
/// A real terminal for the console: a tmux server on a socket of its own (so no other tmux
/// session is ever touched) with one 80x24 window. Disposing kills that tmux server only.
/// </summary>
internal sealed class TmuxTerminal : IDisposable
{
    private readonly string _socket = "hotline-e2e-" + Guid.NewGuid().ToString("N")[..12];

    public TmuxTerminal(int width, int height, IReadOnlyList<string> command)
    {
        Run(["new-session", "-d", "-s", "console", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), "-e", "TERM=xterm-256color", .. command]);
    }

    /// <summary>What the terminal shows now, one line per row.</summary>
    public string Capture() => Run(["capture-pane", "-p", "-t", "console"]);

    /// <summary>Sends keys by tmux name (Enter, Down, F2, Tab).</summary>
    public void Keys(params string[] keys) => Run(["send-keys", "-t", "console", .. keys]);

    /// <summary>Sends text literally, including Cyrillic.</summary>
    public void Text(string text) => Run(["send-keys", "-t", "console", "-l", text]);

    /// <summary>From now on, appends every byte the program writes to the terminal to <paramref name="file"/>.</summary>
    public void RecordOutput(string file) => Run(["pipe-pane", "-o", "-t", "console", $"cat >> '{file}'"]);

    /// <summary>Waits until the screen satisfies <paramref name="condition"/>; fails with the last screen.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TaskTimeouts.Default;
        var screen = "";
        while (DateTime.UtcNow < deadline)
        {
            screen = Capture();
            if (condition(screen))
            {
                return screen;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Waited {TaskTimeouts.Default.TotalSeconds} s for {what}. The screen was:\n{screen}");
    }

    public Task<string> WaitForAsync(string text) => WaitForAsync(s => s.Contains(text, StringComparison.Ordinal), $"'{text}'");

    public void Dispose()
    {
        try
        {
            Run(["kill-server"]);
        }
        catch (InvalidOperationException)
        {
            // The console quit and took its only session with it: the tmux server is gone already.
        }
    }

    private string Run(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The headless switch this test process sets for Terminal.Gui must not reach the real console.
        info.Environment.Remove("DisableRealDriverIO");
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(_socket);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new InvalidOperationException("tmux did not answer within 10 s.");
        }
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed: {error}");
    }
}
