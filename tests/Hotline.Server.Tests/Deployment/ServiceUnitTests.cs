using System.Diagnostics;
using System.Text.RegularExpressions;
using Hotline.Tests;

namespace Hotline.Server.Tests.Deployment;

/// <summary>
/// deploy/hotline.service as systemd reads it: `systemd-analyze verify` accepts it without a
/// single warning, its hardening scores as systemd's own "OK" exposure, and it keeps the promises
/// the deployment makes (the key from a credential, never the environment; no core dumps; the
/// data directory its only writable place). CI installs systemd-analyze (`.ci/run`); without it
/// these tests fail saying so.
/// </summary>
public sealed partial class ServiceUnitTests : IDisposable
{
    private static readonly string Unit = RepositoryFiles.PathOf("deploy/hotline.service");

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotline-unit-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Unit_PassesSystemdAnalyzeVerifyWithoutAWarning()
    {
        // verify checks that ExecStart names an executable; the unit names the installed one, so
        // this checks a copy that starts the server binary just built instead.
        Directory.CreateDirectory(_root);
        var apphost = Path.ChangeExtension(BuiltBinaries.Server, null);
        Assert.True(File.Exists(apphost), $"the build left no apphost at {apphost}");
        var copy = Path.Combine(_root, "hotline.service");
        var text = await File.ReadAllTextAsync(Unit);
        Assert.Contains("ExecStart=/opt/hotline/Hotline.Server ", text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(copy, text.Replace("/opt/hotline/Hotline.Server", apphost, StringComparison.Ordinal));

        var (exit, output) = await SystemdAnalyzeAsync("verify", copy);

        Assert.True(exit == 0, $"systemd-analyze verify exited {exit}:\n{output}");
        Assert.True(output.Length == 0, $"systemd-analyze verify warned:\n{output}");
    }

    [Fact]
    public async Task Unit_HardeningScoresBelowTwoOnSystemdsExposureScale()
    {
        var (exit, output) = await SystemdAnalyzeAsync("security", "--offline=true", "--no-pager", Unit);

        Assert.True(exit == 0, $"systemd-analyze security exited {exit}:\n{output}");
        var match = ExposureLine().Match(output);
        Assert.True(match.Success, "no overall exposure line in:\n" + output);
        var exposure = double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(exposure <= 2.0, $"exposure {exposure} (0 best, 10 worst) is above 2.0:\n{output}");
    }

    [Fact]
    public async Task Unit_TakesTheKeyFromACredentialAndNeverFromTheEnvironment()
    {
        var lines = (await File.ReadAllLinesAsync(Unit)).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#').ToList();

        Assert.Contains("LoadCredential=master.key:/etc/hotline/master.key", lines);
        Assert.Contains(lines, l => l.Contains("--Hotline:MasterKeyCredential master.key", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("HOTLINE_MASTER_KEY", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("EnvironmentFile", StringComparison.Ordinal));
        Assert.Contains("User=hotline", lines);
        Assert.Contains("Restart=always", lines);
        Assert.Contains("LimitCORE=0", lines);
        Assert.Contains("ProtectSystem=strict", lines);
        Assert.Contains("ReadWritePaths=/var/lib/hotline", lines);
        Assert.Contains(lines, l => l.Contains("--data-dir /var/lib/hotline", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static async Task<(int Exit, string Output)> SystemdAnalyzeAsync(params string[] args)
    {
        var info = new ProcessStartInfo("systemd-analyze")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // Offline checks: no running systemd is needed or asked.
        info.Environment["SYSTEMD_LOG_LEVEL"] = "warning";
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("systemd-analyze is not installed; `.ci/run` installs it (apt package systemd).", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return (process.ExitCode, (await stdout + await stderr).Trim());
        }
    }

    [GeneratedRegex(@"Overall exposure level for \S+: ([0-9]+\.[0-9])")]
    private static partial Regex ExposureLine();
}
