using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.V1;
using Hotline.Tests;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// Watchers that stop reading, against the real server process: a console suspended with Ctrl-Z,
/// an SSH session on a stalled link, a laptop that vanished, a hostile operator, a reconnect storm.
/// Each such watcher is cut off or released, and the process and everyone else it serves carry on.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed partial class StalledWatcherTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Short, so each test waits past it several times over within seconds.</summary>
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(2);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-stall-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task WatcherStalledMidSnapshot_PastWriteTimeout_IsCutOffAndServerKeepsServing()
    {
        await using var server = await StartAsync();
        // About 3 MB of snapshot: far more than the client's stream window and Kestrel's buffers hold.
        await SeedAsync(server, count: 1_500, messageLength: 2_000);

        using var stalledChannel = NewChannel(server.Address);
        using var stalled = Watch(stalledChannel, ServerProcess.Operator);
        Assert.True(await stalled.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());
        Assert.Equal(WatchRequestsResponse.EventOneofCase.Snapshot, stalled.ResponseStream.Current.EventCase);

        await WaitForCutOffsAsync(server, 1);
        await AssertStillServingAsync(server, expectedRequests: 1_500);

        // Reading again, the stalled watcher learns it was cut off for being too slow.
        var status = await DrainUntilFailureAsync(stalled);
        Assert.Equal(StatusCode.ResourceExhausted, status.StatusCode);
        AssertNoUnhandledException(server);
        output.WriteLine($"stalled mid-snapshot (1,500 requests, ~3 MB): cut off with {status.StatusCode}; server alive, RSS {server.RssMegabytes:0} MB afterwards");
    }

    [Fact]
    public async Task WatcherStalledOnLiveChanges_PastWriteTimeout_IsCutOffAndServerKeepsServing()
    {
        await using var server = await StartAsync();
        await SeedAsync(server, count: 10, messageLength: 100);

        using var stalledChannel = NewChannel(server.Address);
        using var stalled = Watch(stalledChannel, ServerProcess.Operator);
        await ReadToSnapshotEndAsync(stalled);

        // Two megabytes of live changes arrive while the watcher reads nothing.
        await SeedAsync(server, count: 500, messageLength: 4_000, firstId: 10);
        await WaitForCutOffsAsync(server, 1);
        await AssertStillServingAsync(server, expectedRequests: 510);

        var status = await DrainUntilFailureAsync(stalled);
        Assert.Equal(StatusCode.ResourceExhausted, status.StatusCode);
        AssertNoUnhandledException(server);
        output.WriteLine($"stalled on live changes (500 x 4 KB): cut off with {status.StatusCode}; server alive, RSS {server.RssMegabytes:0} MB afterwards");
    }

    [Fact]
    public async Task WatcherWhoseLinkGoesSilent_HalfOpen_IsReleasedAndServerKeepsServing()
    {
        await using var server = await StartAsync();
        await SeedAsync(server, count: 10, messageLength: 100);

        // Neither FIN nor RST ever reaches the server: the link just goes quiet, as when a laptop
        // is closed or a NAT forgets the connection.
        await using var relay = new SilentLinkRelay(server.Address);
        using var vanishingChannel = NewChannel(relay.Address);
        using var vanishing = Watch(vanishingChannel, ServerProcess.Operator);
        await ReadToSnapshotEndAsync(vanishing);
        relay.Freeze();

        await SeedAsync(server, count: 500, messageLength: 4_000, firstId: 10);
        await WaitForCutOffsAsync(server, 1);
        await AssertStillServingAsync(server, expectedRequests: 510);
        AssertNoUnhandledException(server);
        output.WriteLine($"half-open link: watcher released after the write timeout; server alive, RSS {server.RssMegabytes:0} MB afterwards");
    }

    /// <summary>
    /// Every way a stream can be ended by the server while a write to a stalled watcher is in
    /// progress: the end must not wait on the watcher forever, and must not touch the call after it
    /// has finished (the crash this suite was written for).
    /// </summary>
    [Theory]
    [InlineData("lockdown")]
    [InlineData("revocation")]
    [InlineData("shutdown")]
    public async Task StalledWatcher_WhenServerEndsItsStream_IsReleasedWithoutHarm(string ending)
    {
        await using var server = await StartAsync();
        await SeedAsync(server, count: 1_500, messageLength: 2_000);

        using var stalledChannel = NewChannel(server.Address);
        using var stalled = Watch(stalledChannel, ServerProcess.Operator);
        Assert.True(await stalled.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());
        // Let the server fill the windows and block in a write before the stream is ended.
        await Task.Delay(500);

        var clock = Stopwatch.StartNew();
        switch (ending)
        {
            case "lockdown":
                var locked = await AdminAsync("lockdown");
                Assert.Equal(0, locked.ExitCode);
                break;
            case "revocation":
                await new OperatorService.OperatorServiceClient(stalledChannel)
                    .EndMySessionAsync(new EndMySessionRequest(), ServerProcess.As(ServerProcess.Operator)).ResponseAsync.DefaultTimeout();
                break;
            case "shutdown":
                Assert.Equal(0, await server.TerminateAsync());
                break;
        }
        await WaitForLogAsync(server, WatchEndedOrCutOff(), 1);
        var released = clock.Elapsed - WriteTimeout;
        if (ending == "shutdown")
        {
            Assert.True(server.HasExited);
        }
        else if (ending == "lockdown")
        {
            // The process ends itself after a lockdown; started again, as its supervisor would, and
            // unlocked, it has lost nothing.
            Assert.Equal(ExitCodes.LockedDown, await server.WaitForExitAsync());
            await using var restarted = await StartAsync();
            Assert.Equal(0, (await AdminAsync("unlock")).ExitCode);
            await AssertStillServingAsync(restarted, expectedRequests: 1_500);
        }
        else
        {
            await AssertStillServingAsync(server, expectedRequests: 1_500);
        }

        var status = await DrainUntilFailureAsync(stalled);
        Assert.NotEqual(StatusCode.OK, status.StatusCode);
        AssertNoUnhandledException(server);
        output.WriteLine($"{ending} with a stalled watcher: stream released within {released.TotalSeconds:0.0} s of the {ending}, watcher saw {status.StatusCode}; server {(server.HasExited ? "exited cleanly" : "alive")}");
    }

    /// <summary>
    /// A reconnect storm after a restart: hundreds of watch streams opened at once over a few
    /// thousand requests, on many connections, some reading, some never reading, some cancelled or
    /// disconnected mid-snapshot. Seeded, so a failure replays.
    /// </summary>
    /// <remarks>
    /// CI runs 500 streams over 2,500 requests. A longer soak sets <c>HOTLINE_STORM_STREAMS</c> and
    /// <c>HOTLINE_STORM_REQUESTS</c> (see the README).
    /// </remarks>
    [Fact]
    public async Task WatchStorm_HundredsOfStreamsAtOnce_SomeNeverReading_ServerSurvivesAndServesTheRest()
    {
        const int streamsPerConnection = 20;
        var connections = Math.Max(3, EnvironmentNumber("HOTLINE_STORM_STREAMS", 500) / streamsPerConnection);
        var stored = EnvironmentNumber("HOTLINE_STORM_REQUESTS", 2_500);
        // Every stream reads the whole store: the work, and so the time allowed, grows with both.
        var patience = TimeSpan.FromMinutes(5) * Math.Max(1.0, connections * streamsPerConnection * (double)stored / (500 * 2_500));
        var random = new Random(20261202);
        // Hundreds of reading clients share this machine's two cores with the server: a longer
        // write timeout keeps a busy reader from being mistaken for a stalled one.
        // The storm's streams all sign in as one operator (the test has few accounts), standing in
        // for as many consoles of as many people: the per-account stream limit is lifted for it.
        await using var server = await StartAsync(TimeSpan.FromSeconds(10), maxStreams: 2 * connections * streamsPerConnection);
        await SeedAsync(server, count: stored, messageLength: 300);

        var channels = Enumerable.Range(0, connections).Select(_ => NewChannel(server.Address)).ToList();
        var kinds = new List<StormWatcher>();
        for (var c = 0; c < connections; c++)
        {
            // Two connections vanish outright mid-snapshot (the console process is killed).
            var connectionKind = c < 2 ? WatcherKind.Disconnects : (WatcherKind?)null;
            for (var s = 0; s < streamsPerConnection; s++)
            {
                var kind = connectionKind ?? (random.Next(10) switch
                {
                    < 4 => WatcherKind.Reads,
                    < 8 => WatcherKind.NeverReads,
                    _ => WatcherKind.CancelsMidSnapshot,
                });
                kinds.Add(new StormWatcher(c, kind, random.Next(1, 5)));
            }
        }

        var clock = Stopwatch.StartNew();
        var watchers = kinds.Select(w => (Watcher: w, Call: Watch(channels[w.Connection], ServerProcess.Operator, limit: null))).ToList();
        var runs = watchers.Select(w => Task.Run(() => RunStormWatcherAsync(w.Watcher, w.Call))).ToList();
        // Consoles on the first two connections are killed mid-snapshot: their connections close.
        await Task.WhenAll(watchers.Where(w => w.Watcher.Kind == WatcherKind.Disconnects).Select(w => w.Watcher.FirstMessage.Task)).WaitAsync(patience);
        foreach (var channel in channels.Take(2))
        {
            channel.Dispose();
        }

        var readers = watchers.Count(w => w.Watcher.Kind == WatcherKind.Reads);
        var stalled = watchers.Count(w => w.Watcher.Kind == WatcherKind.NeverReads);
        await Task.WhenAll(watchers.Where(w => w.Watcher.Kind == WatcherKind.Reads).Select(w => w.Watcher.SnapshotEnd.Task)).WaitAsync(patience);
        var readersDone = clock.Elapsed;
        await WaitForCutOffsAsync(server, stalled, patience);
        await AssertStillServingAsync(server, expectedRequests: stored);

        // Every reader got the whole snapshot and still follows the live feed.
        var live = await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "after-storm", Channel = Channel.Sms, Message = "after the storm" },
            ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
        foreach (var (watcher, _) in watchers.Where(w => w.Watcher.Kind == WatcherKind.Reads))
        {
            Assert.Equal(stored, watcher.SnapshotRequests);
            Assert.Equal(live.Name, (await watcher.LiveChange.Task.WaitAsync(TimeSpan.FromSeconds(60))).Request.Name);
        }
        // Every watcher that never read learns, when it finally does, that it was cut off.
        foreach (var (watcher, call) in watchers.Where(w => w.Watcher.Kind == WatcherKind.NeverReads))
        {
            Assert.Equal(StatusCode.ResourceExhausted, (await DrainUntilFailureAsync(call)).StatusCode);
        }
        foreach (var (_, call) in watchers)
        {
            call.Dispose();
        }
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60));
        AssertNoUnhandledException(server);
        var cutOff = CountOf(server.Output, "was cut off");
        output.WriteLine($"storm: {watchers.Count} streams on {connections} connections over {stored:N0} requests; {readers} read the full snapshot (last after {readersDone.TotalSeconds:0.0} s), " +
            $"{stalled} never read, {watchers.Count(w => w.Watcher.Kind == WatcherKind.CancelsMidSnapshot)} cancelled mid-snapshot, {2 * streamsPerConnection} lost their connection; " +
            $"{cutOff} cut off as too slow; server alive, RSS {server.RssMegabytes:0} MB afterwards");
        foreach (var channel in channels.Skip(2))
        {
            channel.Dispose();
        }
    }

    private static async Task RunStormWatcherAsync(StormWatcher watcher, AsyncServerStreamingCall<WatchRequestsResponse> call)
    {
        try
        {
            var messages = 0;
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                messages++;
                var message = call.ResponseStream.Current;
                watcher.FirstMessage.TrySetResult();
                switch (watcher.Kind)
                {
                    case WatcherKind.NeverReads or WatcherKind.Disconnects:
                        return;
                    case WatcherKind.CancelsMidSnapshot when messages == watcher.MessagesBeforeLeaving:
                        call.Dispose();
                        return;
                }
                switch (message.EventCase)
                {
                    case WatchRequestsResponse.EventOneofCase.Snapshot:
                        watcher.SnapshotRequests += message.Snapshot.Requests.Count;
                        break;
                    case WatchRequestsResponse.EventOneofCase.SnapshotEnd:
                        watcher.SnapshotEnd.TrySetResult();
                        break;
                    case WatchRequestsResponse.EventOneofCase.Change:
                        watcher.LiveChange.TrySetResult(message.Change);
                        break;
                }
            }
        }
        catch (RpcException) when (watcher.Kind != WatcherKind.Reads || watcher.LiveChange.Task.IsCompleted)
        {
            // Cancelled, disconnected, or disposed by the test once done.
        }
        catch (Exception ex)
        {
            watcher.SnapshotEnd.TrySetException(ex);
            watcher.LiveChange.TrySetException(ex);
        }
        finally
        {
            watcher.FirstMessage.TrySetResult();
        }
    }

    private async Task<ServerProcess> StartAsync(TimeSpan? writeTimeout = null, int maxStreams = 2_000) =>
        await ServerProcess.StartAsync(_dataDirectory, "--Hotline:Watch:WriteTimeout", (writeTimeout ?? WriteTimeout).ToString(),
            "--Hotline:Watch:MaxStreamsPerCaller", maxStreams.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Hotline:Watch:MaxStreams", maxStreams.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static Task SeedAsync(ServerProcess server, int count, int messageLength, int firstId = 0) =>
        server.SubmitManyAsync(count, messageLength, "stall", firstId);

    private static GrpcChannel NewChannel(Uri address) => GrpcChannel.ForAddress(address);

    /// <summary>
    /// A watch as a console holds it, bounded by a deadline only so a broken test cannot hang. The
    /// storm passes no limit: its streams live as long as the storm takes on a busy machine, and
    /// every wait on them is bounded instead.
    /// </summary>
    private static AsyncServerStreamingCall<WatchRequestsResponse> Watch(GrpcChannel channel, string operatorId, TimeSpan? limit) =>
        new RequestService.RequestServiceClient(channel).WatchRequests(new WatchRequestsRequest(),
            new CallOptions(HotlineTestServer.Bearer(operatorId), deadline: limit is { } l ? DateTime.UtcNow + l : null));

    private static AsyncServerStreamingCall<WatchRequestsResponse> Watch(GrpcChannel channel, string operatorId) =>
        Watch(channel, operatorId, TimeSpan.FromMinutes(10));

    private static Task<int> ReadToSnapshotEndAsync(AsyncServerStreamingCall<WatchRequestsResponse> call) =>
        ServerProcess.ReadToSnapshotEndAsync(call);

    private static async Task<RpcException> DrainUntilFailureAsync(AsyncServerStreamingCall<WatchRequestsResponse> call)
    {
        try
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)))
            {
            }
        }
        catch (RpcException ex)
        {
            return ex;
        }
        throw new InvalidOperationException("The stream ended with OK; a watch never does.");
    }

    /// <summary>The server answers unary calls, takes a new request and serves a complete new watch.</summary>
    private static async Task AssertStillServingAsync(ServerProcess server, int expectedRequests)
    {
        Assert.False(server.HasExited, "the server process died:\n" + server.Output);
        using var channel = NewChannel(server.Address);
        var me = await new OperatorService.OperatorServiceClient(channel).WhoAmIAsync(new WhoAmIRequest(), ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout();
        Assert.Equal("operators/" + ServerProcess.Supervisor, me.Operator.Name);
        using var watch = Watch(channel, ServerProcess.Supervisor);
        Assert.Equal(expectedRequests, await ReadToSnapshotEndAsync(watch));
    }

    private static void AssertNoUnhandledException(ServerProcess server)
    {
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unobserved", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ObjectDisposedException", server.Output, StringComparison.Ordinal);
    }

    private static Task WaitForCutOffsAsync(ServerProcess server, int count, TimeSpan? limit = null) =>
        WaitForLogAsync(server, CutOff(), count, limit);

    /// <summary>Waits for the log to show <paramref name="count"/> matches, then <see cref="WriteTimeout"/> longer: the crash came just after.</summary>
    private static async Task WaitForLogAsync(ServerProcess server, Regex pattern, int count, TimeSpan? limit = null)
    {
        var deadline = Stopwatch.StartNew();
        while (pattern.Count(server.Output) < count)
        {
            if (deadline.Elapsed > (limit ?? TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException($"Waited for {count} log lines matching {pattern}; saw {pattern.Count(server.Output)}:\n{Tail(server.Output)}");
            }
            if (server.HasExited && pattern.Count(server.Output) < count)
            {
                throw new InvalidOperationException("The server process died:\n" + Tail(server.Output));
            }
            await Task.Delay(100);
        }
        await Task.Delay(WriteTimeout);
    }

    private Task<CommandLineResult> AdminAsync(string verb) => ServerProcess.AdministerAsync([verb, "--data-dir", _dataDirectory]);

    private static int EnvironmentNumber(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private static int CountOf(string text, string part) => Regex.Count(text, Regex.Escape(part));

    private static string Tail(string text) => text.Length > 6_000 ? text[^6_000..] : text;

    [GeneratedRegex("was cut off")]
    private static partial Regex CutOff();

    [GeneratedRegex("Watcher \\d+ (ended|fell|took no data)")]
    private static partial Regex WatchEndedOrCutOff();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private enum WatcherKind
    {
        Reads,
        NeverReads,
        CancelsMidSnapshot,
        Disconnects,
    }

    private sealed class StormWatcher(int connection, WatcherKind kind, int messagesBeforeLeaving)
    {
        public int Connection { get; } = connection;

        public WatcherKind Kind { get; } = kind;

        public int MessagesBeforeLeaving { get; } = messagesBeforeLeaving;

        public int SnapshotRequests { get; set; }

        public TaskCompletionSource FirstMessage { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource SnapshotEnd { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<RequestChange> LiveChange { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
