using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Server.Hosting;
using Hotline.Tests;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// Issue 11, item 1: after a lockdown no secret is left in any server process. The real binary
/// reads canary requests for an operator, is locked down through the real command line and exits
/// with <see cref="ExitCodes.LockedDown"/>; started again on the same data directory, as its
/// supervisor would, it is locked, and its whole memory, read as root through /proc, holds no
/// canary, no token the first process saw and no form of the master key.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class LockdownMemoryTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-lockmem-" + Guid.NewGuid().ToString("N"));

    private string KeyFile => _dataDirectory + ".master.key";

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task LockdownExitsTheProcess_AndTheRestartedLockedServerHoldsNoCanaryTokenOrKey()
    {
        var started = Stopwatch.StartNew();
        var masterKey = RandomNumberGenerator.GetBytes(32);
        var masterKeyText = Convert.ToBase64String(masterKey);
        await File.WriteAllTextAsync(KeyFile, masterKeyText + "\n");
        File.SetUnixFileMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // The key comes from its file: HOTLINE_MASTER_KEY would stay in /proc/PID/environ, which no process can erase.
        var environment = new Dictionary<string, string?> { ["HOTLINE_MASTER_KEY"] = null, ["Hotline__MasterKeyFile"] = KeyFile };

        var canaries = new List<string>();
        await using (var first = await ServerProcess.StartAsync(_dataDirectory, environment))
        {
            var anna = ServerProcess.As(ServerProcess.Operator);
            for (var i = 0; i < 3; i++)
            {
                var message = string.Create(CultureInfo.InvariantCulture, $"CANARY-MSG-{i}-Зарема-{Guid.NewGuid():N}");
                var handle = "@canary_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
                canaries.Add(message);
                canaries.Add(handle);
                var receipt = await first.Intakes.SubmitRequestAsync(new SubmitRequestRequest
                {
                    RequestId = "lockmem-" + i,
                    Channel = Channel.Telegram,
                    ContactHandle = handle,
                    Message = message,
                }, ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
                var read = await first.Requests.GetRequestAsync(new GetRequestRequest { Name = receipt.Name }, anna).ResponseAsync.DefaultTimeout();
                // Decrypted in the process, not only stored: the message is what the operator was sent.
                Assert.True(read.Request.Message == message, "the operator did not read back the message submitted");
            }

            // The same scan on the process that read them finds them: the patterns are right, the copies real.
            var before = ProcessMemory.Scan(first.Pid, [.. canaries.Select(c => ("canary (UTF-16)", Encoding.Unicode.GetBytes(c)))]);
            Assert.True(before.Found("canary (UTF-16)") > 0, "the scan found no canary in the server that read them");
            output.WriteLine($"before the lockdown: {before.Found("canary (UTF-16)")} UTF-16 copies of the canaries in the server's memory");

            // With no master key at all: a lockdown needs none.
            var locked = await ServerProcess.AdministerAsync(["lockdown", "--data-dir", _dataDirectory], new Dictionary<string, string?> { ["HOTLINE_MASTER_KEY"] = null });

            Assert.Equal(0, locked.ExitCode);
            Assert.Contains("The server is stopping", locked.Output, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.LockedDown, await first.WaitForExitAsync());
            Assert.Contains("Lockdown persisted: the process exits", first.Output, StringComparison.Ordinal);
        }

        // As a supervisor would: the same command, the same data directory.
        await using var restarted = await ServerProcess.StartAsync(_dataDirectory, environment);
        Assert.Contains("The installation is locked down", restarted.Output, StringComparison.Ordinal);
        // Asked with the supervisor's token, which the first process never saw; the scan looks for the ones it did.
        await RpcAssert.FailsWithReasonAsync(StatusCode.FailedPrecondition, "LOCKED_DOWN",
            () => restarted.Requests.ListRequestsAsync(new ListRequestsRequest(), ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync);

        var secrets = new List<(string Kind, byte[] Bytes)>();
        foreach (var canary in canaries)
        {
            secrets.Add(("canary (UTF-8)", Encoding.UTF8.GetBytes(canary)));
            secrets.Add(("canary (UTF-16)", Encoding.Unicode.GetBytes(canary)));
        }
        foreach (var account in new[] { ServerProcess.Intake, ServerProcess.Operator })
        {
            secrets.Add(("token (UTF-8)", Encoding.UTF8.GetBytes(HotlineTestServer.TokenOf(account))));
            secrets.Add(("token (UTF-16)", Encoding.Unicode.GetBytes(HotlineTestServer.TokenOf(account))));
        }
        secrets.Add(("master key (raw)", masterKey));
        secrets.Add(("master key (base64, UTF-8)", Encoding.UTF8.GetBytes(masterKeyText)));
        secrets.Add(("master key (base64, UTF-16)", Encoding.Unicode.GetBytes(masterKeyText)));
        // Controls: text the process certainly holds, so a scan that reads nothing cannot pass.
        var controls = new List<(string Kind, byte[] Bytes)>
        {
            ("data directory (UTF-8)", Encoding.UTF8.GetBytes(_dataDirectory)),
            ("locked-down log line (UTF-16)", Encoding.Unicode.GetBytes("The installation is locked down")),
        };

        var scan = ProcessMemory.Scan(restarted.Pid, [.. secrets, .. controls]);

        output.WriteLine($"scanned {scan.Regions} readable regions, {scan.Bytes / (1024 * 1024)} MiB ({scan.Unreadable} unreadable skipped) " +
            $"for {secrets.Count} secret patterns and {controls.Count} controls in {started.Elapsed.TotalSeconds:F1} s");
        foreach (var (kind, _) in controls)
        {
            Assert.True(scan.Found(kind) > 0, $"control not found: {kind}; the scan does not see the process's memory");
        }
        var leaks = secrets.Select(s => s.Kind).Distinct().Select(kind => (kind, copies: scan.Found(kind))).Where(l => l.copies > 0).ToList();
        foreach (var (kind, copies) in leaks)
        {
            output.WriteLine($"found {copies} copies of a {kind}");
        }
        Assert.True(leaks.Count == 0, $"secrets left in the restarted locked server: {string.Join(", ", leaks.Select(l => $"{l.copies} × {l.kind}"))}");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(60), $"took {started.Elapsed.TotalSeconds:F1} s");
        Assert.DoesNotContain(masterKeyText, restarted.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        File.Delete(KeyFile);
    }
}

/// <summary>Another process's memory, read as a debugger would: every readable mapping in /proc/PID/maps, through /proc/PID/mem.</summary>
internal static class ProcessMemory
{
    private const int Chunk = 4 * 1024 * 1024;

    public sealed class Result(Dictionary<string, int> found)
    {
        public int Regions { get; init; }

        public int Unreadable { get; init; }

        public long Bytes { get; init; }

        /// <summary>Copies found of every pattern of this kind.</summary>
        public int Found(string kind) => found.GetValueOrDefault(kind);
    }

    /// <exception cref="InvalidOperationException">The memory cannot be read at all: not root, or no CAP_SYS_PTRACE.</exception>
    public static Result Scan(int pid, IReadOnlyList<(string Kind, byte[] Bytes)> patterns)
    {
        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        var overlap = patterns.Max(p => p.Bytes.Length) - 1;
        var buffer = new byte[Chunk + overlap];
        int regions = 0, unreadable = 0;
        long total = 0;
        Microsoft.Win32.SafeHandles.SafeFileHandle memory;
        try
        {
            memory = File.OpenHandle($"/proc/{pid}/mem", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new InvalidOperationException(
                $"Cannot open /proc/{pid}/mem ({ex.GetType().Name}): this test must run as root (with CAP_SYS_PTRACE), as CI does; the server is not dumpable.", ex);
        }
        using (memory)
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
            {
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2 || fields[1][0] != 'r' || line.EndsWith("[vvar]", StringComparison.Ordinal) || line.EndsWith("[vsyscall]", StringComparison.Ordinal))
                {
                    continue;
                }
                var range = fields[0].Split('-');
                var start = long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var end = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (start < 0 || end < 0)
                {
                    // Beyond what a file offset can name; the kernel's own upper half, never the process's data.
                    continue;
                }
                try
                {
                    total += ScanRegion(memory, start, end, buffer, overlap, patterns, found);
                    regions++;
                }
                catch (IOException)
                {
                    unreadable++;
                }
            }
        }
        if (regions == 0)
        {
            throw new InvalidOperationException($"No mapping of process {pid} could be read: this test must run as root (with CAP_SYS_PTRACE), as CI does.");
        }
        return new Result(found) { Regions = regions, Unreadable = unreadable, Bytes = total };
    }

    private static long ScanRegion(Microsoft.Win32.SafeHandles.SafeFileHandle memory, long start, long end, byte[] buffer, int overlap,
        IReadOnlyList<(string Kind, byte[] Bytes)> patterns, Dictionary<string, int> found)
    {
        long read = 0;
        var carried = 0;
        for (var position = start; position < end;)
        {
            var want = (int)Math.Min(Chunk, end - position);
            var got = RandomAccess.Read(memory, buffer.AsSpan(carried, want), position);
            if (got <= 0)
            {
                break;
            }
            var window = buffer.AsSpan(0, carried + got);
            foreach (var (kind, bytes) in patterns)
            {
                var count = Count(window, bytes, carried);
                if (count > 0)
                {
                    found[kind] = found.GetValueOrDefault(kind) + count;
                }
            }
            // Keep the tail, so a pattern across two chunks is still seen (and one inside the tail is not counted twice).
            carried = Math.Min(overlap, window.Length);
            window[^carried..].CopyTo(buffer);
            position += got;
            read += got;
        }
        return read;
    }

    /// <summary>Occurrences that end past <paramref name="carried"/>: the ones that start in the carried tail alone were counted with the chunk before.</summary>
    private static int Count(ReadOnlySpan<byte> window, ReadOnlySpan<byte> pattern, int carried)
    {
        var count = 0;
        var offset = 0;
        while (true)
        {
            var at = window[offset..].IndexOf(pattern);
            if (at < 0)
            {
                return count;
            }
            if (offset + at + pattern.Length > carried)
            {
                count++;
            }
            offset += at + 1;
        }
    }
}
