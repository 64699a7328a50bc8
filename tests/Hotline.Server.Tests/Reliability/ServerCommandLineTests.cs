using System.Globalization;
using Hotline.Tests;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// The shared runner of admin verbs (tests/Shared/ServerCommandLine.cs): what it captures, and that a
/// hung run ends. The verbs themselves are run through it by the admin, backup and lockdown tests.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class ServerCommandLineTests : IDisposable
{
    private readonly string _pidFile = Path.Combine(Path.GetTempPath(), "hotline-cmdline-" + Guid.NewGuid().ToString("N") + ".pid");

    [Fact]
    public async Task Run_KeepsExitCodeStandardOutputAndErrorApart_AndSetsAndRemovesVariables()
    {
        Environment.SetEnvironmentVariable("HOTLINE_CMDLINE_TEST_INHERITED", "inherited");
        try
        {
            var run = await ServerCommandLine.RunProgramAsync("bash", ["-c", "echo out:$HOTLINE_CMDLINE_TEST_SET; echo err:${HOTLINE_CMDLINE_TEST_INHERITED-gone} >&2; exit 7"],
                new Dictionary<string, string?> { ["HOTLINE_CMDLINE_TEST_SET"] = "set", ["HOTLINE_CMDLINE_TEST_INHERITED"] = null });

            Assert.Equal(7, run.ExitCode);
            Assert.Equal("out:set\n", run.StdOut);
            Assert.Equal("err:gone\n", run.StdErr);
            Assert.Equal("out:set\nerr:gone\n", run.Output);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HOTLINE_CMDLINE_TEST_INHERITED", null);
        }
    }

    [Fact]
    public async Task Run_PastItsTimeout_KillsTheChildItStartedAndThrows()
    {
        // exec: the shell becomes the sleep, so the PID written is the child's own.
        var run = ServerCommandLine.RunProgramAsync("bash", ["-c", $"echo $$ > {_pidFile}; exec sleep 120"], timeout: TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => run).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("was killed", error.Message, StringComparison.Ordinal);
        var pid = int.Parse((await File.ReadAllTextAsync(_pidFile)).Trim(), CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} is still running");
    }

    public void Dispose() => File.Delete(_pidFile);
}
