using System.Text;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// The shipped binary keeps its memory out of core files and away from other users' debuggers
/// (issue 11, item 1, in part): read from outside, as an attacker on the same machine would look.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class ProcessHardeningTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-hardening-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task RunningServer_WritesNoCoreFiles_AndIsNotDumpable()
    {
        await using var server = await ServerProcess.StartAsync(_dataDirectory);

        // Linux's own view of the process: both the soft and the hard core-file limit are zero, so
        // not even the process itself can raise them again.
        var core = (await File.ReadAllLinesAsync($"/proc/{server.Pid}/limits")).Single(l => l.StartsWith("Max core file size", StringComparison.Ordinal));
        Assert.Equal(["0", "0", "bytes"], core["Max core file size".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // PR_GET_DUMPABLE can only be asked by the process itself, which reports it at start.
        Assert.Contains("Process hardened: not dumpable True, no core files True", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Process hardening incomplete", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MasterKeyGivenInTheEnvironment_IsNoLongerIn_ProcEnviron_AndTheServerStillOpensItsData()
    {
        // ServerProcess gives the key as HOTLINE_MASTER_KEY, the way the reviewer found it in /proc/PID/environ.
        await using var server = await ServerProcess.StartAsync(_dataDirectory);

        var environ = Encoding.ASCII.GetString(await File.ReadAllBytesAsync($"/proc/{server.Pid}/environ"));
        Assert.Contains("HOTLINE_MASTER_KEY=", environ, StringComparison.Ordinal);
        Assert.DoesNotContain(HotlineTestServer.MasterKey, environ, StringComparison.Ordinal);
        Assert.DoesNotContain(HotlineTestServer.MasterKey.TrimEnd('='), environ, StringComparison.Ordinal);
        // The key was read before it was erased: sealed data opens.
        var submitted = await server.Intakes.SubmitRequestAsync(new Contract.V1.SubmitRequestRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Channel = Contract.V1.Channel.Sms,
            ContactHandle = "+7 900 000 00 00",
            Language = "ru",
            Message = "environment test",
        }, ServerProcess.As(ServerProcess.Intake)).ResponseAsync.WaitAsync(TimeSpan.FromSeconds(20));
        var read = await server.Requests.GetRequestAsync(new Contract.V1.GetRequestRequest { Name = submitted.Name },
            ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("environment test", read.Request.Message);
        Assert.DoesNotContain("Process hardening incomplete", server.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
