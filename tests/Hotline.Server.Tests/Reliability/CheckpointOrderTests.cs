using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Hotline.Tests;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// A LiteDB checkpoint copies the log's pages over the data file in place. If a power cut tears that
/// copy, only a log already on disk can repair it at the next open; LiteDB itself never flushes its
/// log. These tests record the system calls of the benchmark's store-intake section (stores opened
/// in data directories exactly as the server opens them, hundreds of group-committed submits) under
/// strace, and check that no store's data file is written while its log holds writes not yet on disk.
/// (Attaching strace to a running server stalls the .NET runtime, so the traced program is started
/// under it.)
/// </summary>
[Collection(ProcessTests.Name)]
public sealed partial class CheckpointOrderTests(ITestOutputHelper output) : IDisposable
{
    private const string DataFile = "hotline.db";
    private const string LogFile = "hotline-log.db";

    private readonly string _tracePath = Path.Combine(Path.GetTempPath(), "hotline-order-" + Guid.NewGuid().ToString("N") + ".txt");

    [Fact]
    public async Task EveryCheckpoint_PutsTheLogOnDisk_BeforeOverwritingTheDataFile()
    {
        var info = new ProcessStartInfo("strace")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // -f: every thread; -y: file paths beside descriptors; -qq: no attach/exit chatter.
        foreach (var argument in new[] { "-f", "-y", "-qq", "-e", "trace=write,pwrite64,pwritev,pwritev2,fsync,fdatasync", "-o", _tracePath,
                     "dotnet", BuiltBinaries.Benchmarks, "--smoke", "--only", "store" })
        {
            info.ArgumentList.Add(argument);
        }
        Process traced;
        try
        {
            traced = Process.Start(info) ?? throw new InvalidOperationException("strace did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("This test needs strace (.ci/run installs it: apt-get install strace).", ex);
        }
        using (traced)
        {
            var printed = traced.StandardOutput.ReadToEndAsync();
            var errors = traced.StandardError.ReadToEndAsync();
            try
            {
                await traced.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            }
            catch (TimeoutException)
            {
                // strace and the benchmark it started: nothing else.
                traced.Kill(entireProcessTree: true);
                throw;
            }
            Assert.True(traced.ExitCode == 0, $"the traced benchmark exited with {traced.ExitCode}: {await errors}");
            output.WriteLine(await printed);
        }

        var order = CheckOrder(await File.ReadAllLinesAsync(_tracePath));
        output.WriteLine($"traced: {order.LogWrites} log writes, {order.LogFlushes} log flushes, {order.DataWrites} data-file writes; " +
            $"data-file writes while the log held unflushed writes: {order.DataWritesOverUnflushedLog}");
        Assert.True(order.DataWrites > 100, "the trace saw too few checkpoint copies into a data file");
        Assert.True(order.LogFlushes > 10, "the trace saw too few flushes of a log");
        Assert.Equal(0, order.DataWritesOverUnflushedLog);
    }

    [Fact]
    public void CheckOrder_CountsADataWriteMadeBeforeTheLogWasFlushed()
    {
        // The checker itself: a trace in LiteDB's unflushed order must fail, the flushed order must pass.
        string[] unflushed =
        [
            "10 pwrite64(5</d/hotline-log.db>, \"\"..., 8192, 0) = 8192",
            "10 fsync(7</e/hotline-log.db>) = 0",
            "10 pwrite64(4</d/hotline.db>, \"\"..., 8192, 8192) = 8192",
            "10 fsync(4</d/hotline.db>) = 0",
        ];
        string[] flushed =
        [
            "10 pwrite64(5</d/hotline-log.db>, \"\"..., 8192, 0) = 8192",
            "11 fsync(5</d/hotline-log.db> <unfinished ...>",
            "11 <... fsync resumed>) = 0",
            "10 pwrite64(4</d/hotline.db>, \"\"..., 8192, 8192) = 8192",
            "10 fsync(4</d/hotline.db>) = 0",
        ];
        Assert.Equal(1, CheckOrder(unflushed).DataWritesOverUnflushedLog);
        Assert.Equal(0, CheckOrder(flushed).DataWritesOverUnflushedLog);
    }

    public void Dispose() => File.Delete(_tracePath);

    /// <summary>Pairs each data directory's <c>hotline.db</c> with its <c>hotline-log.db</c>; other files are ignored.</summary>
    private static OrderFigures CheckOrder(IEnumerable<string> trace)
    {
        var figures = new OrderFigures();
        var logUnflushed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in trace)
        {
            var call = SystemCall().Match(line);
            if (!call.Success)
            {
                continue;
            }
            var name = call.Groups["name"].Value;
            var path = call.Groups["path"].Value;
            var isFlush = name is "fsync" or "fdatasync";
            var directory = Path.GetDirectoryName(path) ?? "";
            var file = Path.GetFileName(path);
            if (file == LogFile)
            {
                if (isFlush)
                {
                    figures.LogFlushes++;
                    logUnflushed.Remove(directory);
                }
                else
                {
                    figures.LogWrites++;
                    logUnflushed.Add(directory);
                }
            }
            else if (file == DataFile && !isFlush)
            {
                figures.DataWrites++;
                if (logUnflushed.Contains(directory))
                {
                    figures.DataWritesOverUnflushedLog++;
                }
            }
        }
        return figures;
    }

    [GeneratedRegex(@"^\d+\s+(?<name>write|pwrite64|pwritev2?|fsync|fdatasync)\(\d+<(?<path>[^>]+)>")]
    private static partial Regex SystemCall();

    private sealed class OrderFigures
    {
        public int LogWrites { get; set; }

        public int LogFlushes { get; set; }

        public int DataWrites { get; set; }

        public int DataWritesOverUnflushedLog { get; set; }
    }
}
