using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Hotline.Console.Remote;
using Hotline.Console.State;
using Hotline.Contract.V1;
using Xunit.Abstractions;

namespace Hotline.Console.Tests.EndToEnd;

/// <summary>
/// The console's own connection (its gRPC client and watch loop, the model fed by them) given two
/// addresses, against real server processes: the server it is on is killed with SIGKILL, the
/// installation comes back as another process on the second address, and the feed goes on from
/// the last revision the console received.
/// </summary>
[Collection(HeadlessCollection.Name)]
public sealed class FailoverEndToEndTests(ITestOutputHelper output)
{
    private const int Before = 15;
    private const int After = 15;

    private readonly LoopRecording _loop = new();

    [Fact]
    public async Task ServerKilled_ConsoleFailsOverToTheNextAddressAndMissesOrRepeatsNoChange()
    {
        // The embedded store lets one process serve a data directory, so the second address is
        // served by a new process on the same data once the first is dead: what a standby does.
        await using var first = await ServerProcess.StartAsync();
        var secondAddress = FreeLoopbackAddress();
        var servers = new ServerAddresses([first.Address, secondAddress]);
        var token = new BearerToken((await File.ReadAllTextAsync(first.TokenFile("anna"))).Trim(), "test token file");
        using var client = new GrpcHotlineClient(servers, token, []);
        var loop = new WatchLoop(client, _loop.Post, TimeProvider.System, new ReconnectBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1))) { Servers = servers };
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await LoopRecording.WaitUntilAsync(() => _loop.SnapshotEnded());

        var receipts = new List<string>();
        for (var i = 0; i < Before; i++)
        {
            receipts.Add((await first.Intake.SubmitRequestAsync(Submission($"before-{i}"), first.As("web-form"))).Name);
        }
        await LoopRecording.WaitUntilAsync(() => _loop.Changes().Count == Before);

        await first.KillHardAsync();
        var killed = Stopwatch.StartNew();
        await using var second = await first.StartSuccessorAsync(secondAddress);
        var listening = killed.Elapsed;
        await LoopRecording.WaitUntilAsync(() => _loop.Connected().Count >= 2);
        // A figure for the record, not a limit: most of it is the new process starting.
        output.WriteLine($"failover: second server listening {listening.TotalMilliseconds:F0} ms after the kill, console on it after {killed.Elapsed.TotalMilliseconds:F0} ms");
        for (var i = 0; i < After; i++)
        {
            receipts.Add((await second.Intake.SubmitRequestAsync(Submission($"after-{i}"), second.As("web-form"))).Name);
        }
        await LoopRecording.WaitUntilAsync(() => _loop.Changes().Count == Before + After);
        await LoopRecording.WaitUntilAsync(() => _loop.Connected().Count >= 2);
        await stop.CancelAsync();
        await running.DefaultTimeout();

        var changes = _loop.Changes();
        Assert.Equal(receipts.Order(StringComparer.Ordinal), changes.Select(c => c.Request.Name).Order(StringComparer.Ordinal));
        var revisions = changes.Select(c => c.Revision).ToList();
        Assert.Equal(Enumerable.Range(0, revisions.Count).Select(i => revisions[0] + i), revisions);
        Assert.Equal(1, servers.CurrentIndex);
        Assert.Contains(_loop.Retrying(), r => r.Problem == $"server unreachable; trying {ServerAddresses.Describe(secondAddress)}");
        var connected = _loop.Connected();
        Assert.Equal((ServerAddresses.Describe(first.Address), (string?)null), (connected[0].Server, connected[0].FailedOverFrom));
        Assert.Equal((ServerAddresses.Describe(secondAddress), ServerAddresses.Describe(first.Address)), (connected[^1].Server, connected[^1].FailedOverFrom));

        var model = new QueueModel();
        model.Apply(_loop.Posted());
        Assert.Equal(Before + After, model.Count);
        Assert.Equal(0, model.DuplicatesIgnored);
        Assert.Equal(revisions[^1], model.Revision);
    }

    private static SubmitRequestRequest Submission(string requestId) =>
        new() { RequestId = requestId, Channel = Channel.WebForm, Message = "failover " + requestId };

    /// <summary>A loopback address nothing listens on yet: a port the system handed out and took back.</summary>
    private static Uri FreeLoopbackAddress()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
