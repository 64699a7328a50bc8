using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.V1;
using Hotline.Storage;
using Hotline.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// `./run.sh` as a newcomer runs it, on the binaries already built (HOTLINE_SKIP_BUILD) and with a
/// stand-in console (HOTLINE_CONSOLE) that records what it was handed and exits at once.
/// </summary>
[Collection(ProcessTests.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RunScriptTests : IDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotline-run-" + Guid.NewGuid().ToString("N")[..12]);

    private string DataDirectory => Path.Combine(_root, "data");

    private string ConfigHome => Path.Combine(_root, "config");

    private string ConsoleRecord => Path.Combine(_root, "console.txt");

    [Fact]
    public async Task SecondConsole_JoinsTheRunningServer_AndLeavesItRunning()
    {
        await using var server = await ServerProcess.StartAsync(DataDirectory);
        var listen = server.Address.GetLeftPart(UriPartial.Authority);

        var (exitCode, output) = await RunAsync(listen, "--operator", "zoe", "--demo");

        Assert.True(exitCode == 0, output);
        Assert.Contains("already serves", output, StringComparison.Ordinal);
        Assert.DoesNotContain("server stopped", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        var console = ReadConsoleRecord();
        Assert.Equal(listen, console["server"]);
        Assert.Equal("--demo", console["args"]);
        Assert.False(server.HasExited, "run.sh stopped a server it did not start");

        // Both accounts were made through the running server, and their tokens work there now.
        using var channel = GrpcChannel.ForAddress(listen);
        var operators = new OperatorService.OperatorServiceClient(channel);
        var zoe = await operators.WhoAmIAsync(new WhoAmIRequest(), WithTokenFrom(console["token"])).ResponseAsync.DefaultTimeout();
        Assert.Equal("operators/zoe", zoe.Operator.Name);
        Assert.Equal(OperatorRole.Operator, zoe.Operator.Role);
        var demo = await operators.WhoAmIAsync(new WhoAmIRequest(), WithTokenFrom(console["demo"])).ResponseAsync.DefaultTimeout();
        Assert.Equal("operators/web-form", demo.Operator.Name);
        Assert.Equal(OperatorRole.Intake, demo.Operator.Role);
    }

    [Fact]
    public async Task FirstConsole_StartsAServer_AndStopsItWhenTheConsoleQuits()
    {
        var listen = $"http://127.0.0.1:{FreePort()}";

        var (exitCode, output) = await RunAsync(listen, "--demo");

        Assert.True(exitCode == 0, output);
        Assert.Contains("server stopped", output, StringComparison.Ordinal);
        var console = ReadConsoleRecord();
        Assert.Equal("yes", console["answering"]);
        Assert.Equal(listen, console["server"]);

        // Stopped: the data directory opens; the accounts are as run.sh made them.
        var masterKey = Convert.FromBase64String((await File.ReadAllTextAsync(Path.Combine(ConfigHome, "hotline", "master.key")).DefaultTimeout()).Trim());
        using var store = LiteDbRequestStore.Open(DataDirectory, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance,
            NullLogger.Instance, masterKey);
        var accounts = (await store.ReadOperatorsAsync(CancellationToken.None).DefaultTimeout()).ToDictionary(r => r.Id);
        Assert.Equal(Domain.Role.Admin, accounts["dev"].Account.Role);
        Assert.Equal("dev", accounts["dev"].Account.DisplayName);
        Assert.Equal(Domain.Role.Intake, accounts["web-form"].Account.Role);
        var demoToken = (await File.ReadAllTextAsync(console["demo"]).DefaultTimeout()).Trim();
        Assert.Equal(Domain.AccessTokens.Hash(demoToken), accounts["web-form"].TokenHash);
    }

    [Fact]
    public async Task Lockdown_ServerExitsAndIsStartedAgainLocked_ThenUnlocks_AndStopsWhenTheConsoleQuits()
    {
        var listen = $"http://127.0.0.1:{FreePort()}";

        var (exitCode, output) = await RunAsync(listen, new Dictionary<string, string> { ["CONSOLE_LOCKDOWN"] = "1" });

        Assert.True(exitCode == 0, output);
        var locked = await File.ReadAllTextAsync(ConsoleRecord + ".lockdown").DefaultTimeout();
        var unlocked = await File.ReadAllTextAsync(ConsoleRecord + ".unlock").DefaultTimeout();
        Assert.Contains("The server is stopping (exit code 10)", locked, StringComparison.Ordinal);
        // "Server running" and "Unlocked": run.sh started the server again, and it had come up locked.
        Assert.Contains("Server running", unlocked, StringComparison.Ordinal);
        Assert.Contains("Unlocked", unlocked, StringComparison.Ordinal);
        Assert.Contains("server stopped", output, StringComparison.Ordinal);
        var log = output.Split('\n').Single(l => l.Contains("server stopped; its log is ", StringComparison.Ordinal)).Split("its log is ")[1].Trim();
        var serverLog = await File.ReadAllTextAsync(log).DefaultTimeout();
        File.Delete(log);
        Assert.Contains("starting it again, locked", serverLog, StringComparison.Ordinal);
        Assert.Equal(2, serverLog.Split("Hotline listening on").Length - 1);
        // Quitting the console stopped the restarted server too: the data directory opens.
        var masterKey = Convert.FromBase64String((await File.ReadAllTextAsync(Path.Combine(ConfigHome, "hotline", "master.key")).DefaultTimeout()).Trim());
        using var store = LiteDbRequestStore.Open(DataDirectory, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance,
            NullLogger.Instance, masterKey);
        Assert.False(store.Vault.IsLocked);
    }

    [Fact]
    public async Task Postgres_StartsAThrowawayCluster_AndTheServerOnIt_AndStopsAndDeletesBothWhenTheConsoleQuits()
    {
        var listen = $"http://127.0.0.1:{FreePort()}";

        var (exitCode, output) = await RunAsync(listen, "--postgres");

        Assert.True(exitCode == 0, output);
        var console = ReadConsoleRecord();
        Assert.Equal("yes", console["answering"]);
        Assert.Equal(listen, console["server"]);
        Assert.Equal("", console["args"]);
        var cluster = output.Split('\n').Single(l => l.Contains("throwaway PostgreSQL cluster runs in ", StringComparison.Ordinal))
            .Split("runs in ")[1].Split(';')[0].Trim();
        Assert.False(Directory.Exists(cluster), $"the cluster {cluster} was deleted");
        var log = output.Split('\n').Single(l => l.Contains("server stopped; its log is ", StringComparison.Ordinal)).Split("its log is ")[1].Trim();
        var serverLog = await File.ReadAllTextAsync(log).DefaultTimeout();
        File.Delete(log);
        Assert.Contains("store PostgreSQL database hotline at ", serverLog, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(DataDirectory, "hotline.db")), "the data went to PostgreSQL, not a LiteDB file");
        Assert.False(PostmasterRunsIn(cluster), "the cluster's server was stopped");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a process that is ending; the temp dir is cleaned eventually.
        }
    }

    private Task<(int ExitCode, string Output)> RunAsync(string listen, params string[] arguments) =>
        RunAsync(listen, new Dictionary<string, string>(), arguments);

    private async Task<(int ExitCode, string Output)> RunAsync(string listen, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        Directory.CreateDirectory(_root);
        var fakeConsole = Path.Combine(_root, "fake-console");
        // Records what the console would be given; says whether the server answers while it "runs".
        await File.WriteAllTextAsync(fakeConsole, """
            #!/usr/bin/env bash
            port="${HOTLINE_SERVER##*:}"
            answering=no
            if : <>"/dev/tcp/127.0.0.1/$port"; then answering=yes; fi 2>/dev/null
            printf 'server=%s\ntoken=%s\ndemo=%s\nargs=%s\nanswering=%s\n' \
                "$HOTLINE_SERVER" "$HOTLINE_TOKEN_FILE" "${HOTLINE_DEMO_TOKEN_FILE:-}" "$*" "$answering" > "$CONSOLE_RECORD"
            if [[ -n ${CONSOLE_LOCKDOWN:-} ]]; then
                # Locks the server down, waits for it to go away and for run.sh to bring it back, then unlocks it.
                dotnet "$SERVER_DLL" lockdown --data-dir "$HOTLINE_DATA_DIR" > "$CONSOLE_RECORD.lockdown" 2>&1
                for _ in $(seq 1 200); do { : <>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || break; sleep 0.05; done
                for _ in $(seq 1 300); do { : <>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null && break; sleep 0.1; done
                dotnet "$SERVER_DLL" unlock --data-dir "$HOTLINE_DATA_DIR" --Hotline:MasterKeyFile "$XDG_CONFIG_HOME/hotline/master.key" \
                    > "$CONSOLE_RECORD.unlock" 2>&1
            fi
            """.ReplaceLineEndings("\n")).DefaultTimeout();
        File.SetUnixFileMode(fakeConsole, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot(), "run.sh"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["HOTLINE_SKIP_BUILD"] = "1";
        info.Environment["HOTLINE_CONFIGURATION"] = Configuration();
        info.Environment["HOTLINE_CONSOLE"] = fakeConsole;
        info.Environment["HOTLINE_DATA_DIR"] = DataDirectory;
        info.Environment["HOTLINE_LISTEN"] = listen;
        info.Environment["XDG_CONFIG_HOME"] = ConfigHome;
        info.Environment["CONSOLE_RECORD"] = ConsoleRecord;
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["SERVER_DLL"] = BuiltBinaries.Server;
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        info.Environment.Remove("HOTLINE_MASTER_KEY");
        info.Environment.Remove("HOTLINE_MASTER_KEY_FILE");

        using var script = new Process { StartInfo = info };
        var output = new StringBuilder();
        script.OutputDataReceived += (_, e) => Collect(output, e.Data);
        script.ErrorDataReceived += (_, e) => Collect(output, e.Data);
        script.Start();
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        try
        {
            await script.WaitForExitAsync().WaitAsync(ScriptTimeout);
        }
        catch (TimeoutException)
        {
            script.Kill(entireProcessTree: true);
            throw new TimeoutException($"run.sh did not finish within {ScriptTimeout.TotalSeconds} s:\n{Text(output)}");
        }
        // The exit event can come before the last lines are read; this second wait also drains the output.
        await script.WaitForExitAsync();
        return (script.ExitCode, Text(output));
    }

    private Dictionary<string, string> ReadConsoleRecord()
    {
        Assert.True(File.Exists(ConsoleRecord), "the console was not started");
        return File.ReadAllLines(ConsoleRecord)
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
    }

    private static CallOptions WithTokenFrom(string tokenFile) =>
        new(new Metadata { { "authorization", "Bearer " + File.ReadAllText(tokenFile).Trim() } }, deadline: DateTime.UtcNow.AddSeconds(15));

    private static void Collect(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>Whether a PostgreSQL server process was started on <paramref name="cluster"/> and still runs.</summary>
    private static bool PostmasterRunsIn(string cluster) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).OfType<string>().Where(name => name.All(char.IsAsciiDigit)).Any(pid =>
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/cmdline").Contains(cluster, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        });

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Where run.sh is: the server binary is built at server/Hotline.Server/bin/CONFIGURATION/FRAMEWORK/.</summary>
    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(Path.GetDirectoryName(BuiltBinaries.Server)!);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "run.sh")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("run.sh not found above the server binary.");
    }

    private static string Configuration() => new DirectoryInfo(Path.GetDirectoryName(BuiltBinaries.Server)!).Parent!.Name;
}
