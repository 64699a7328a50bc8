using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Hotline.Tests;

namespace Hotline.Console.Tests.Deployment;

/// <summary>
/// A real sshd of the test's own on a loopback port, configured with deploy/ssh/sshd-hotline.conf
/// as an admin installs it (only the paths, the group name and the server address changed), and a
/// throwaway Unix user with a key, in that group, given a Hotline account by
/// deploy/ssh/hotline-operator-token. Needs root (useradd, sshd); fails saying so otherwise.
/// Disposing stops this sshd and that user's tmux server (by their ids) and removes the user.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class SshHost : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotline-ssh-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private Process? _sshd;
    private bool _userAdded;
    private bool _groupAdded;

    private SshHost()
    {
    }

    /// <summary>The Unix login, which is also the Hotline account id.</summary>
    public string User => "hlssh" + _suffix;

    private string Group => "hlsshg" + _suffix;

    private string Home => Path.Combine(_root, "home");

    private string ClientKey => Path.Combine(_root, "client_key");

    public string TokenDirectory => Path.Combine(_root, "tokens");

    public int Port { get; private set; }

    public static async Task<SshHost> StartAsync(string serverAddress, string dataDirectory)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                "The SSH deployment test needs root: it adds a Unix user and starts its own sshd (CI runs as root). It did not run.");
        }
        if (!File.Exists("/usr/sbin/sshd"))
        {
            throw new InvalidOperationException("The SSH deployment test needs /usr/sbin/sshd: `.ci/run` installs openssh-server.");
        }
        var host = new SshHost();
        try
        {
            await host.SetUpAsync(serverAddress, dataDirectory);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>`ssh -tt` to this host as the test user, for a terminal to run; the client's pid goes to <paramref name="pidFile"/>.</summary>
    public IReadOnlyList<string> SshCommand(string pidFile) =>
    [
        "sh", Path.Combine(_root, "ssh-client.sh"), pidFile,
        "ssh", "-tt", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", ClientKey, "-o", "IdentitiesOnly=yes",
        "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", User + "@127.0.0.1",
    ];

    /// <summary>Whether the user's console session (tmux) is still there.</summary>
    public async Task<bool> ConsoleSessionExistsAsync() =>
        (await RunAsync("runuser", ["-u", User, "--", "tmux", "-L", "hotline", "has-session", "-t", "hotline-" + User], check: false)).Exit == 0;

    private async Task SetUpAsync(string serverAddress, string dataDirectory)
    {
        Directory.CreateDirectory(_root);
        // Everything the user runs or reads lives here: the repository may sit in a directory they cannot enter.
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);
        await RunAsync("groupadd", [Group]);
        _groupAdded = true;
        await RunAsync("useradd", ["--create-home", "--home-dir", Home, "--shell", "/bin/bash", "--password", "*", "--user-group", User]);
        _userAdded = true;

        await RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(_root, "host_key")]);
        await RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", ClientKey]);
        var ssh = Path.Combine(Home, ".ssh");
        Directory.CreateDirectory(ssh);
        File.Copy(ClientKey + ".pub", Path.Combine(ssh, "authorized_keys"));
        await RunAsync("chown", ["-R", $"{User}:{User}", ssh]);
        await RunAsync("chmod", ["-R", "go-rwx", ssh]);

        var deploy = Path.Combine(_root, "deploy");
        Directory.CreateDirectory(deploy);
        foreach (var file in new[] { "hotline-console-login", "hotline-operator-token", "tmux.conf" })
        {
            File.Copy(Path.Combine(RepositoryRoot, "deploy", "ssh", file), Path.Combine(deploy, file));
        }
        var console = Path.Combine(_root, "console");
        CopyDirectory(Path.GetDirectoryName(BuiltBinaries.Console)!, console);
        await RunAsync("chmod", ["-R", "a+rX", deploy, console]);

        // The account, made as an admin makes it: the token lands owned by the user, mode 600.
        await RunAsync(Path.Combine(deploy, "hotline-operator-token"), ["add", User, "--name", "SSH Tester", "--role", "operator"], environment: new()
        {
            ["HOTLINE_ADMIN"] = "dotnet " + BuiltBinaries.Server,
            ["HOTLINE_SERVICE_USER"] = "root",
            ["HOTLINE_DATA_DIR"] = dataDirectory,
            ["HOTLINE_OPERATOR_TOKENS"] = TokenDirectory,
            ["HOTLINE_OPERATOR_GROUP"] = Group,
        });

        var fragment = (await File.ReadAllTextAsync(Path.Combine(RepositoryRoot, "deploy", "ssh", "sshd-hotline.conf")))
            .Replace("Match Group hotline-operators", "Match Group " + Group, StringComparison.Ordinal)
            .Replace("/opt/hotline/deploy/ssh/hotline-console-login", Path.Combine(deploy, "hotline-console-login"), StringComparison.Ordinal)
            .Replace("SetEnv HOTLINE_SERVER=https://127.0.0.1:5171",
                $"SetEnv HOTLINE_SERVER={serverAddress} HOTLINE_OPERATOR_TOKENS={TokenDirectory} " +
                $"\"HOTLINE_CONSOLE=dotnet {Path.Combine(console, "hotline-console.dll")} --no-bell\" " +
                $"HOTLINE_TMUX_CONF={Path.Combine(deploy, "tmux.conf")}", StringComparison.Ordinal);
        Assert.Contains("Match Group " + Group, fragment, StringComparison.Ordinal);
        Assert.Contains(deploy, fragment, StringComparison.Ordinal);
        Assert.Contains(TokenDirectory, fragment, StringComparison.Ordinal);
        var fragmentPath = Path.Combine(_root, "sshd-hotline.conf");
        await File.WriteAllTextAsync(fragmentPath, fragment);

        // Runs the client with its pid known, then keeps the terminal open to show how it ended.
        await File.WriteAllTextAsync(Path.Combine(_root, "ssh-client.sh"),
            "pid_file=$1\nshift\nsh -c 'echo $$ > \"$0\"; exec \"$@\"' \"$pid_file\" \"$@\"\necho \"ssh exited with $?\"\nsleep 60\n");
        Port = FreePort();
        var config = Path.Combine(_root, "sshd_config");
        await File.WriteAllLinesAsync(config,
        [
            $"Port {Port}",
            "ListenAddress 127.0.0.1",
            $"HostKey {Path.Combine(_root, "host_key")}",
            $"PidFile {Path.Combine(_root, "sshd.pid")}",
            "AuthorizedKeysFile .ssh/authorized_keys",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            $"AllowUsers {User}",
            "AcceptEnv LANG LC_*",
            $"Include {fragmentPath}",
        ]);
        // Debian's sshd wants its privilege-separation directory; a machine that never ran sshd has none.
        Directory.CreateDirectory("/run/sshd");
        await RunAsync("/usr/sbin/sshd", ["-t", "-f", config]);
        var info = new ProcessStartInfo("/usr/sbin/sshd") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-D", "-e", "-f", config })
        {
            info.ArgumentList.Add(arg);
        }
        _sshd = Process.Start(info)!;
        _sshd.ErrorDataReceived += (_, _) => { };
        _sshd.BeginErrorReadLine();
        _sshd.BeginOutputReadLine();
        await WaitForPortAsync(Port);
    }

    public async ValueTask DisposeAsync()
    {
        if (_userAdded)
        {
            // The user's own tmux server, which this test started through sshd; it ends the console in it.
            await RunAsync("runuser", ["-u", User, "--", "tmux", "-L", "hotline", "kill-server"], check: false);
        }
        if (_sshd is { HasExited: false })
        {
            _sshd.Kill(entireProcessTree: true);
            await _sshd.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _sshd?.Dispose();
        if (_userAdded)
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                // Fails while a process of the user's is still ending.
                if ((await RunAsync("userdel", ["--remove", User], check: false)).Exit == 0)
                {
                    break;
                }
                await Task.Delay(250);
            }
        }
        if (_groupAdded)
        {
            await RunAsync("groupdel", [Group], check: false);
        }
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Hotline.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Hotline.sln not found above the test binaries.");
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow + TaskTimeouts.Default;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string command, IReadOnlyList<string> args, bool check = true,
        Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in environment ?? [])
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var output = await stdout + await stderr;
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} exited {process.ExitCode}: {output}");
        }
        return (process.ExitCode, output);
    }
}
