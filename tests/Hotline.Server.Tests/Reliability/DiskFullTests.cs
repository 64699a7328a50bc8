using System.Diagnostics;
using System.Runtime.Versioning;
using Grpc.Core;
using Grpc.Health.V1;
using Hotline.Contract.Client;
using Hotline.Contract.V1;
using Hotline.Tests;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// A full disk, for real: the server's data directory on a small tmpfs, filled by a filler file
/// until the store's writes fail. Writes are then refused with UNAVAILABLE STORAGE_FAILED, what
/// needs no write is still served, health says NOT_SERVING; once the filler is removed, writes
/// are taken again without a restart, and after a restart every acknowledged request is there.
/// Needs root for mount (CI runs as root); fails saying so otherwise.
/// </summary>
[Collection(ProcessTests.Name)]
[SupportedOSPlatform("linux")]
public sealed class DiskFullTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int TmpfsMegabytes = 24;

    private readonly string _mount = Path.Combine(Path.GetTempPath(), "hotline-diskfull-" + Guid.NewGuid().ToString("N"));
    private bool _mounted;

    private string DataDirectory => Path.Combine(_mount, "data");

    private string Filler => Path.Combine(_mount, "filler");

    public async Task InitializeAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                "The disk-full test needs root to mount a small tmpfs as the data directory (CI runs as root). It did not run.");
        }
        Directory.CreateDirectory(_mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", $"size={TmpfsMegabytes}m,mode=700", "tmpfs", _mount);
        _mounted = true;
    }

    [Fact]
    public async Task DiskFills_WritesAreRefusedWithStorageFailed_ReadsGoOn_AndNothingAcknowledgedIsLost()
    {
        var acknowledged = new List<string>();
        var refusals = new List<RpcException>();
        var rollbackRefused = false;
        await using (var server = await ServerProcess.StartAsync(DataDirectory, ServerProcess.UnlimitedIntake))
        {
            using var channel = HotlineChannel.Create(server.Address);
            var health = new Health.HealthClient(channel);
            var operators = new OperatorService.OperatorServiceClient(channel);
            for (var i = 0; i < 20; i++)
            {
                acknowledged.Add((await SubmitAsync(server, $"before-{i}")).Name);
            }

            // Leaves the store a little room, then takes the rest as it writes.
            var free = new DriveInfo(_mount).AvailableFreeSpace;
            await FillAsync(free - (512 * 1024));
            var attempt = 0;
            while (refusals.Count < 5 && attempt < 5_000)
            {
                try
                {
                    acknowledged.Add((await SubmitAsync(server, $"filling-{attempt++}")).Name);
                }
                catch (RpcException ex)
                {
                    refusals.Add(ex);
                }
            }
            output.WriteLine($"disk full after {acknowledged.Count} acknowledged requests and {attempt} attempts; {refusals.Count} refused");
            Assert.NotEmpty(refusals);
            foreach (var refused in refusals)
            {
                Assert.True(refused.StatusCode == StatusCode.Unavailable,
                    $"a write on a full disk failed with {refused.StatusCode}: {refused.Status.Detail}\nserver log:\n{server.Output}");
                Assert.Equal("STORAGE_FAILED", RpcAssert.ErrorInfo(refused).Reason);
            }

            // What needs no write goes on; health tells monitors the server takes no writes.
            var me = await operators.WhoAmIAsync(new WhoAmIRequest(), ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout();
            Assert.Equal("operators/" + ServerProcess.Supervisor, me.Operator.Name);
            var status = await health.CheckAsync(new HealthCheckRequest()).ResponseAsync.DefaultTimeout();
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, status.Status);
            Assert.Contains("STORAGE_FAILED", server.Output, StringComparison.Ordinal);

            // Space comes back. The disk may also have refused LiteDB's rollback of the failed batch
            // (it writes the transaction's pages back to its log); the store then takes no writes until a
            // restart recovers from the log, as the contract says ("on restart at worst"). Otherwise the
            // next write is taken without a restart, and health recovers.
            File.Delete(Filler);
            rollbackRefused = server.Output.Contains("Rolling back a failed transaction failed", StringComparison.Ordinal);
            if (!rollbackRefused)
            {
                var recovered = Stopwatch.StartNew();
                string? after = null;
                while (after is null && recovered.Elapsed < TimeSpan.FromSeconds(30))
                {
                    try
                    {
                        after = (await SubmitAsync(server, "after")).Name;
                    }
                    catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
                    {
                        await Task.Delay(200);
                    }
                }
                Assert.True(after is not null, "writes did not resume within 30 s of space coming back");
                acknowledged.Add(after!);
                output.WriteLine($"writes resumed {recovered.ElapsedMilliseconds} ms after the filler was removed, without a restart");
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving,
                    (await health.CheckAsync(new HealthCheckRequest()).ResponseAsync.DefaultTimeout()).Status);
                Assert.Equal(0, await server.TerminateAsync());
            }
            else
            {
                output.WriteLine("the disk refused the rollback too: writes resume after a restart");
                await server.TerminateAsync();
            }
        }

        await using var restarted = await ServerProcess.StartAsync(DataDirectory);
        if (rollbackRefused)
        {
            acknowledged.Add((await SubmitAsync(restarted, "after-restart")).Name);
        }
        var lost = 0;
        foreach (var name in acknowledged)
        {
            try
            {
                await restarted.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout();
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                lost++;
            }
        }
        output.WriteLine($"acknowledged {acknowledged.Count}, refused {refusals.Count}, lost {lost}");
        Assert.Equal(0, lost);
    }

    public async Task DisposeAsync()
    {
        if (_mounted)
        {
            await RunAsync("umount", _mount);
        }
        if (Directory.Exists(_mount))
        {
            Directory.Delete(_mount, recursive: true);
        }
    }

    private static async Task<SubmitRequestResponse> SubmitAsync(ServerProcess server, string requestId) =>
        await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = requestId,
            Channel = Channel.WebForm,
            Message = new string('m', 4_000),
            ContactHandle = "disk-full@example.org",
        }, ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();

    private async Task FillAsync(long bytes)
    {
        await using var filler = new FileStream(Filler, FileMode.CreateNew, FileAccess.Write);
        var block = new byte[1024 * 1024];
        while (bytes > 0)
        {
            var size = (int)Math.Min(block.Length, bytes);
            await filler.WriteAsync(block.AsMemory(0, size));
            bytes -= size;
        }
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        }
    }
}
