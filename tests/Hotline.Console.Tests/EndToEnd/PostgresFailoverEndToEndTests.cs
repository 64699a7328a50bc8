using System.Diagnostics;
using Hotline.Console.Remote;
using Hotline.Console.State;
using Hotline.Contract.V1;
using Hotline.Tests.Shared;
using Xunit.Abstractions;

namespace Hotline.Console.Tests.EndToEnd;

/// <summary>
/// The console's own connection (its gRPC client and watch loop, the model fed by them) given the
/// addresses of two servers running at once on one PostgreSQL database: the server it is on is
/// killed with SIGKILL while changes go on through both, and the console carries on with the
/// other, which was serving all along, from the last revision it received.
/// </summary>
[Collection(HeadlessCollection.Name)]
public sealed class PostgresFailoverEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const int Before = 16;
    private const int After = 16;

    private readonly LoopRecording _loop = new();
    private readonly string _tokens = Path.Combine(Path.GetTempPath(), "hotline-console-e2e-tokens-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task TwoServersOnOneDatabase_TheConsolesServerKilled_ItGoesOnWithTheOtherAndMissesOrRepeatsNoChange()
    {
        using var cluster = PostgresCluster.Start();
        var database = cluster.CreateDatabase();
        var masterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await ServerProcess.AddAccountsOnPostgresAsync(database, masterKey, _tokens);
        await using var first = await ServerProcess.StartOnPostgresAsync(database, masterKey, _tokens);
        await using var second = await ServerProcess.StartOnPostgresAsync(database, masterKey, _tokens);
        var servers = new ServerAddresses([first.Address, second.Address]);
        var token = new BearerToken((await File.ReadAllTextAsync(first.TokenFile("anna"))).Trim(), "test token file");
        using var client = new GrpcHotlineClient(servers, token, []);
        var loop = new WatchLoop(client, _loop.Post, TimeProvider.System, new ReconnectBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1))) { Servers = servers };
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => loop.RunAsync(stop.Token));
        await LoopRecording.WaitUntilAsync(() => _loop.SnapshotEnded());

        // Through both servers, alternately: the console on the first sees the second's changes too.
        var receipts = new List<string>();
        for (var i = 0; i < Before; i++)
        {
            var through = i % 2 == 0 ? first : second;
            receipts.Add((await through.Intake.SubmitRequestAsync(Submission($"before-{i}"), through.As("web-form"))).Name);
        }
        await LoopRecording.WaitUntilAsync(() => _loop.Changes().Count == Before);

        // The second server takes submissions while the first dies and the console moves.
        var during = Task.Run(async () =>
        {
            var names = new List<string>();
            for (var i = 0; i < After; i++)
            {
                names.Add((await second.Intake.SubmitRequestAsync(Submission($"after-{i}"), second.As("web-form"))).Name);
                await Task.Delay(20);
            }
            return names;
        });
        var killed = Stopwatch.StartNew();
        await first.KillHardAsync();
        await LoopRecording.WaitUntilAsync(() => _loop.Connected().Count >= 2);
        var onSecond = killed.Elapsed;
        receipts.AddRange(await during.DefaultTimeout());
        await LoopRecording.WaitUntilAsync(() => _loop.Changes().Count == Before + After);
        await stop.CancelAsync();
        await running.DefaultTimeout();

        var changes = _loop.Changes();
        var revisions = changes.Select(c => c.Revision).ToList();
        var model = new QueueModel();
        model.Apply(_loop.Posted());
        // A figure for the record, not a limit.
        output.WriteLine($"failover between two running servers on PostgreSQL: console on the survivor {onSecond.TotalMilliseconds:F0} ms after the kill; "
            + $"{changes.Count} changes, revisions {revisions[0]}..{revisions[^1]}, duplicates ignored {model.DuplicatesIgnored}");
        Assert.Equal(receipts.Order(StringComparer.Ordinal), changes.Select(c => c.Request.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, revisions.Count).Select(i => revisions[0] + i), revisions);
        Assert.Equal(1, servers.CurrentIndex);
        var connected = _loop.Connected();
        Assert.Equal((ServerAddresses.Describe(first.Address), (string?)null), (connected[0].Server, connected[0].FailedOverFrom));
        Assert.Equal((ServerAddresses.Describe(second.Address), ServerAddresses.Describe(first.Address)), (connected[^1].Server, connected[^1].FailedOverFrom));
        Assert.Equal(Before + After, model.Count);
        Assert.Equal(0, model.DuplicatesIgnored);
        Assert.Equal(revisions[^1], model.Revision);
    }

    public void Dispose()
    {
        if (Directory.Exists(_tokens))
        {
            Directory.Delete(_tokens, recursive: true);
        }
    }

    private static SubmitRequestRequest Submission(string requestId) =>
        new() { RequestId = requestId, Channel = Channel.WebForm, Message = "failover " + requestId };
}
