using System.Diagnostics;
using System.Globalization;

namespace Hotline.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: <c>initdb</c> into a private temporary directory, then
/// a server listening only on a Unix socket in that directory (no TCP port, so nothing else on the
/// machine or network can reach it), stopped and deleted on dispose. PostgreSQL refuses to run as
/// root, so under root (as CI runs) the cluster belongs to the <c>postgres</c> account that
/// Debian's package creates and its programs run through <c>runuser</c>.
/// Fails with a message naming what to install when the server programs are missing: a test that
/// needs PostgreSQL never passes without it.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private const string SuperUser = "hotline";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _root;
    private readonly string _binaries;
    private readonly bool _asPostgresAccount;
    private int _databases;
    private bool _disposed;

    private PostgresCluster(string root, string binaries, bool asPostgresAccount, int port)
    {
        _root = root;
        _binaries = binaries;
        _asPostgresAccount = asPostgresAccount;
        Port = port;
    }

    /// <summary>The socket directory's port number: it names the socket file, no TCP port is opened.</summary>
    public int Port { get; }

    /// <summary>The directory holding the server's Unix socket.</summary>
    public string SocketDirectory => _root;

    private string DataDirectory => Path.Combine(_root, "data");

    private string LogFile => Path.Combine(_root, "server.log");

    /// <summary>Creates and starts a cluster; durable (fsync on) like a real installation.</summary>
    public static PostgresCluster Start()
    {
        var binaries = FindBinaries();
        var asPostgresAccount = Environment.UserName == "root";
        var root = Directory.CreateTempSubdirectory("hotline-pg-").FullName;
        // Owner-only: the socket directory is the cluster's only door.
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The throwaway PostgreSQL cluster runs on Linux only.");
        }
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var port = 20_000 + Random.Shared.Next(30_000);
        var cluster = new PostgresCluster(root, binaries, asPostgresAccount, port);
        try
        {
            if (asPostgresAccount)
            {
                Run("chown", ["postgres:postgres", root], asPostgres: false);
            }
            cluster.RunTool("initdb", ["-D", cluster.DataDirectory, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--no-locale"]);
            cluster.RunTool("pg_ctl",
            [
                "-D", cluster.DataDirectory, "-l", cluster.LogFile, "-w", "-t", "60", "start",
                "-o", $"-c listen_addresses='' -k {root} -p {port} -c max_connections=200 -c shared_buffers=32MB",
            ]);
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>A new, empty database in the cluster; its connection string.</summary>
    public string CreateDatabase()
    {
        var name = "hotline_" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture);
        RunTool("createdb", ["-h", _root, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", SuperUser, name]);
        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host={_root};Port={Port};Username={SuperUser};Database={database};Pooling=true;Maximum Pool Size=50";

    /// <summary>What the server logged, for a failing test's output.</summary>
    public string ReadLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            if (Directory.Exists(DataDirectory) && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                RunTool("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
            }
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string FindBinaries()
    {
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }
        throw new InvalidOperationException(
            "PostgreSQL's server programs (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin: install the `postgresql` package (apt-get install postgresql); .ci/run does.");
    }

    private void RunTool(string tool, IReadOnlyList<string> arguments) =>
        Run(Path.Combine(_binaries, tool), arguments, _asPostgresAccount);

    private static void Run(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asPostgres)
        {
            foreach (var part in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(part);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var output = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {program}.");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish within {CommandTimeout.TotalSeconds} s.");
        }
        // The parameterless wait also waits for the output handlers to see the end of both streams.
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}");
        }
    }

    private static void Append(System.Text.StringBuilder output, string? line)
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
}
