using System.Diagnostics;
using Hotline.Tests;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// The benchmark program is not a test, and a benchmark nobody runs breaks unnoticed. This runs
/// every section of it once at toy sizes (--smoke) and checks that each finished and printed its
/// figures. It judges no figure: timings on a shared machine are for people to read, not to assert.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class BenchmarkSmokeTests(ITestOutputHelper output)
{
    private static readonly string[] Sections =
    [
        "1. Store intake", "2. Claim latency", "3. End to end over gRPC", "4. Live feed", "5. Watch snapshot", "6. Data scale", "7. Fan-out", "8. Store copy",
        "9. Store lists", "10. Backup and restore", "11. Shared rate limits", "12. PostgreSQL", "13. What a submit's documents cost",
    ];

    [Fact]
    public async Task EverySection_RunsToTheEndAndPrintsItsFigures()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { BuiltBinaries.Benchmarks, "--smoke", "--only", "store,claim,grpc,live,snapshot,scale,fanout,copy,list,backup,limits,postgres,parts" })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(8));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var printed = await stdout;
        // Figures only: the benchmarks' requests are synthetic and nothing of them is printed.
        output.WriteLine(printed);
        Assert.True(process.ExitCode == 0, $"The benchmarks exited with {process.ExitCode}:\n{await stderr}");
        Assert.All(Sections, section => Assert.Contains("\n" + section, printed, StringComparison.Ordinal));
        Assert.Contains("Total ", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", printed, StringComparison.Ordinal);
        // A watcher refused or cut off measures nothing: the figures around it would be wrong.
        Assert.DoesNotContain("ended early", printed, StringComparison.Ordinal);
        Assert.Contains("streams failed: 0", printed, StringComparison.Ordinal);
        Assert.Contains("deliveries missing: 0", printed, StringComparison.Ordinal);
        // CI installs PostgreSQL (.ci/run), as the store's own tests need: the section must have run, not been skipped.
        Assert.DoesNotContain("skipped: no PostgreSQL cluster", printed, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL x2, 64 callers", printed, StringComparison.Ordinal);
        Assert.Contains("ListRequests NEW, PostgreSQL x2, 16 callers", printed, StringComparison.Ordinal);
        Assert.Contains("Watch snapshot, PostgreSQL x2, 16 callers", printed, StringComparison.Ordinal);
    }
}
