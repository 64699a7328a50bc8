using System.Diagnostics;

namespace Hotline.Tests;

/// <summary>What one run of a command printed and how it ended.</summary>
/// <param name="StdOut">Everything the command wrote to standard output.</param>
/// <param name="StdErr">Everything the command wrote to standard error.</param>
internal sealed record CommandLineResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Standard output followed by standard error, as an administrator reading the terminal sees both.</summary>
    public string Output => StdOut + StdErr;
}

/// <summary>
/// The built server binary (<see cref="BuiltBinaries.Server"/>) run once for an admin verb (backup,
/// restore, operators add, lockdown, unlock, ...) and waited for, as an administrator runs it from
/// a shell. A run that outlives its timeout is killed, that child alone and by its own PID, so a hung
/// verb fails its test instead of outliving it. Compiled into each test project that needs it.
/// </summary>
internal static class ServerCommandLine
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs `dotnet hotline-server <paramref name="arguments"/>` and waits for it to exit.</summary>
    /// <param name="environment">Variables to set, or with a null value remove, in the environment the child inherits from the test.</param>
    /// <param name="timeout">How long the run may take before it is killed; 60 s unless given.</param>
    public static Task<CommandLineResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        string[] all = [.. arguments];
        // Named by its verb only: a later argument may be a connection string, which has no place in a test log.
        return RunAsync("the server's " + all.FirstOrDefault(), "dotnet", [BuiltBinaries.Server, .. all], environment, timeout);
    }

    /// <summary>
    /// Runs any <paramref name="program"/> the same way: for a command line the server printed, which a
    /// test runs through a shell exactly as it was printed.
    /// </summary>
    public static Task<CommandLineResult> RunProgramAsync(string program, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null) =>
        RunAsync(program, program, arguments, environment, timeout);

    private static async Task<CommandLineResult> RunAsync(string what, string program, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment, TimeSpan? timeout)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        ServerBinaryProcess.SetEnvironment(info, environment ?? new Dictionary<string, string?>());
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? DefaultTimeout;
        try
        {
            await process.WaitForExitAsync().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            // Only the child this run started: nothing else on the machine is ours to end.
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            throw new TimeoutException($"{what} did not exit within {limit.TotalSeconds:0} s and was killed.");
        }
        return new CommandLineResult(process.ExitCode, await stdout, await stderr);
    }
}
