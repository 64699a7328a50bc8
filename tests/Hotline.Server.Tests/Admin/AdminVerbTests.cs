using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Server.Admin;
using LiteDB;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests.Admin;

/// <summary>
/// The command line's unlock, audit verify and purge, run in this process against a server that
/// is running (through its admin socket) and, after it stops, against its data directory.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AdminVerbTests : IAsyncLifetime
{
    private const string Message = "Nachricht-7f3a: they know where I live";
    private readonly List<string> _keyFiles = [];
    private HotlineTestServer _server = null!;
    private HotlineTestServer? _stopped;
    private string _keyFile = null!;

    public async Task InitializeAsync()
    {
        _server = await StartAsync();
        _keyFile = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_server.DataDirectory)) + ".master.key";
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (_stopped is not null)
        {
            // After the server restarted on its data directory: disposing deletes that directory.
            await _stopped.DisposeAsync();
        }
        _keyFiles.ForEach(File.Delete);
    }

    [Fact]
    public async Task Running_LockdownStopsTheHost_RestartedLocked_ThenUnlockRestoresService_AndAWrongKeyChangesNothing()
    {
        await _server.DisposeAsync();
        _server = await StartAsync(o => o.Lockdown.ExitProcess = true);
        _keyFile = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_server.DataDirectory)) + ".master.key";
        var lifetime = _server.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());

        var locked = await RunAsync("lockdown");

        Assert.Equal(0, locked.Exit);
        Assert.Contains("The server is stopping", locked.Output, StringComparison.Ordinal);
        await stopping.Task.DefaultTimeout();
        Assert.True(_server.Services.GetRequiredService<LockdownSwitch>().ProcessExitRequested);
        // As the supervisor does: the stopped server is started again on its data directory, and comes up locked.
        var dataDirectory = _server.DataDirectory;
        await _server.StopAsync();
        _stopped = _server;
        _server = await StartAsync(o => o.Lockdown.ExitProcess = true, dataDirectory);
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, () => _server.Requests.ListRequestsAsync(new ListRequestsRequest(), As(Supervisor)).ResponseAsync);
        var wrongKey = WriteKey(Convert.ToBase64String(new byte[32]));

        var wrong = await RunWithKeyAsync(wrongKey, "unlock");
        var right = await RunAsync("unlock");
        var again = await RunAsync("unlock");

        Assert.Equal(5, wrong.Exit);
        Assert.Contains("MASTER_KEY_MISMATCH", wrong.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unlocked", wrong.Output, StringComparison.Ordinal);
        Assert.Equal(0, right.Exit);
        Assert.Contains("Server running", right.Output, StringComparison.Ordinal);
        Assert.Contains("Unlocked", right.Output, StringComparison.Ordinal);
        Assert.Equal(0, again.Exit);
        Assert.Contains("Was not locked down", again.Output, StringComparison.Ordinal);
        await _server.SubmitAsync();
        await _server.Requests.ListRequestsAsync(new ListRequestsRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout();
        Assert.DoesNotContain(MasterKey, wrong.Output + right.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_UnlockWithoutAConfiguredKey_IsRefusedAsAMasterKeyProblem()
    {
        await RunAsync("lockdown");

        var refused = await RunWithKeyAsync(null, "unlock");

        Assert.Equal(5, refused.Exit);
        Assert.Contains("unlock needs the master key", refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_Purge_WithoutYesOnlyPreviews_WithYesDestroys_WatchersSeeIt_UnknownIdsAreNamed()
    {
        var doomed = (await _server.SubmitAsync(Message)).Name;
        var kept = (await _server.SubmitAsync("kept")).Name;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = _server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Supervisor, cts.Token));
        await ReadUntilAsync(watch, r => r.EventCase == WatchRequestsResponse.EventOneofCase.SnapshotEnd);
        var unknown = "requests/" + new string('a', 20);

        var preview = await RunAsync("purge", doomed);
        Assert.Equal(ExitCodes.Refused, preview.Exit);
        Assert.Contains($"Would purge {doomed} (number ", preview.Output, StringComparison.Ordinal);
        Assert.Contains("--yes", preview.Output, StringComparison.Ordinal);
        await _server.Requests.GetRequestAsync(new GetRequestRequest { Name = doomed }, As(Supervisor)).ResponseAsync.DefaultTimeout();

        var purged = await RunAsync("purge", doomed[("requests/".Length)..], unknown, "--yes");

        Assert.Equal(ExitCodes.Refused, purged.Exit);
        Assert.Contains($"Purged {doomed} (number ", purged.Output, StringComparison.Ordinal);
        Assert.Contains($"{unknown} matches no request", purged.Output, StringComparison.Ordinal);
        var deleted = await ReadUntilAsync(watch, r => r.Change is { Kind: ChangeKind.Deleted });
        Assert.Equal(doomed, deleted.Change.Name);
        Assert.Equal("operators/admin", deleted.Change.Actor);
        await RpcAssert.FailsAsync(StatusCode.NotFound, () => _server.Requests.GetRequestAsync(new GetRequestRequest { Name = doomed }, As(Supervisor)).ResponseAsync);
        await _server.Requests.GetRequestAsync(new GetRequestRequest { Name = kept }, As(Supervisor)).ResponseAsync.DefaultTimeout();
        var trail = await new AuditService.AuditServiceClient(_server.Channel).ListAuditEventsAsync(
            new ListAuditEventsRequest { Request = doomed }, As(Supervisor)).ResponseAsync.DefaultTimeout();
        Assert.Contains(trail.Events, e => e.Action == AuditAction.Purged && e.Actor == "operators/admin");
        Assert.DoesNotContain(Message, preview.Output + purged.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("@someone", preview.Output + purged.Output, StringComparison.Ordinal);
        var again = await RunAsync("purge", doomed, "--yes");
        Assert.Equal(ExitCodes.Refused, again.Exit);
        Assert.Contains("already purged", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_PurgeClosedBefore_TakesOnlyClosedRequests()
    {
        var closed = (await _server.SubmitAsync()).Name;
        var open = (await _server.SubmitAsync()).Name;
        await _server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = closed }, As(OperatorId(1))).ResponseAsync.DefaultTimeout();
        await _server.Requests.CloseRequestAsync(new CloseRequestRequest { Name = closed, Resolution = Resolution.Referred },
            As(OperatorId(1))).ResponseAsync.DefaultTimeout();

        var notYet = await RunAsync("purge", "--closed-before", "1", "--yes");
        var preview = await RunAsync("purge", "--closed-before", "0");
        var purged = await RunAsync("purge", "--closed-before", "0", "--yes");
        var bad = await RunAsync("purge", "--closed-before", "-3", "--yes");

        Assert.Equal(0, notYet.Exit);
        Assert.Contains("Purged 0 request(s) closed before", notYet.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, preview.Exit);
        Assert.Contains("Would purge 1 request(s) closed before", preview.Output, StringComparison.Ordinal);
        Assert.Equal(0, purged.Exit);
        Assert.Contains("Purged 1 request(s) closed before", purged.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, bad.Exit);
        Assert.Contains("whole number of days", bad.Output, StringComparison.Ordinal);
        await RpcAssert.FailsAsync(StatusCode.NotFound, () => _server.Requests.GetRequestAsync(new GetRequestRequest { Name = closed }, As(Supervisor)).ResponseAsync);
        await _server.Requests.GetRequestAsync(new GetRequestRequest { Name = open }, As(Supervisor)).ResponseAsync.DefaultTimeout();
    }

    [Fact]
    public async Task Running_PurgeWithAMalformedName_PurgesNothing()
    {
        var request = (await _server.SubmitAsync()).Name;

        var refused = await RunAsync("purge", request, "requests/bad name", "--yes");

        Assert.Equal(ExitCodes.Refused, refused.Exit);
        Assert.Contains("INVALID_FIELDS", refused.Output, StringComparison.Ordinal);
        await _server.Requests.GetRequestAsync(new GetRequestRequest { Name = request }, As(Supervisor)).ResponseAsync.DefaultTimeout();
    }

    [Fact]
    public async Task Running_PurgeWhileLockedDown_IsRefused_AndDestroysNothing()
    {
        var request = (await _server.SubmitAsync()).Name;
        await RunAsync("lockdown");

        var refused = await RunAsync("purge", request, "--yes");
        await RunAsync("unlock");

        Assert.Equal(ExitCodes.Refused, refused.Exit);
        Assert.Contains("LOCKED_DOWN", refused.Output, StringComparison.Ordinal);
        await _server.Requests.GetRequestAsync(new GetRequestRequest { Name = request }, As(Supervisor)).ResponseAsync.DefaultTimeout();
    }

    [Fact]
    public async Task Running_AccountChanges_AreInTheAuditTrail_AndTheChainVerifies_EvenWhileLocked()
    {
        var added = await RunAsync("operators", "add", "nadia", "--name", "Nadia", "--role", "operator");
        await RunAsync("operators", "disable", "nadia");
        await RunAsync("operators", "enable", "nadia");
        var rotated = await RunAsync("operators", "rotate", "nadia");
        var token = added.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("hl_", StringComparison.Ordinal));

        var events = (await new AuditService.AuditServiceClient(_server.Channel).ListAuditEventsAsync(
            new ListAuditEventsRequest { PageSize = 1000 }, As(Supervisor)).ResponseAsync.DefaultTimeout()).Events;
        var account = events.Where(e => e.Operator == "operators/nadia").ToList();
        Assert.Equal(
            [AuditAction.OperatorAdded, AuditAction.OperatorDisabled, AuditAction.OperatorEnabled, AuditAction.OperatorTokenRotated],
            account.Select(e => e.Action));
        Assert.All(account, e => Assert.Equal("operators/admin", e.Actor));
        Assert.All(account, e => Assert.Empty(e.Requests));

        var intact = await RunAsync("audit", "verify");
        Assert.Equal(0, intact.Exit);
        Assert.Contains($"Audit chain intact: {events.Count} record(s) checked", intact.Output, StringComparison.Ordinal);

        await RunAsync("lockdown");
        var locked = await RunAsync("audit", "verify");
        Assert.Equal(0, locked.Exit);
        Assert.Contains("Locked down: checked with the master key; the installation stays locked.", locked.Output, StringComparison.Ordinal);
        Assert.Contains("Audit chain intact", locked.Output, StringComparison.Ordinal);
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, () => _server.Requests.ListRequestsAsync(new ListRequestsRequest(), As(Supervisor)).ResponseAsync);
        var withoutKey = await RunWithKeyAsync(null, "audit", "verify");
        Assert.Equal(5, withoutKey.Exit);
        Assert.Contains("needs the master key", withoutKey.Output, StringComparison.Ordinal);

        Assert.DoesNotContain(token, intact.Output + locked.Output + rotated.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopped_PurgeAndVerifyOnTheDataDirectory_ThenTamperingExits8NamingThePosition()
    {
        var doomed = (await _server.SubmitAsync(Message)).Name;
        for (var i = 0; i < 4; i++)
        {
            await _server.Requests.GetRequestAsync(new GetRequestRequest { Name = doomed }, As(Supervisor)).ResponseAsync.DefaultTimeout();
        }
        await _server.StopAsync();

        var purged = await RunAsync("purge", doomed, "--yes");
        var intact = await RunAsync("audit", "verify");

        Assert.Equal(0, purged.Exit);
        Assert.Contains("No server running", purged.Output, StringComparison.Ordinal);
        Assert.Contains($"Purged {doomed}", purged.Output, StringComparison.Ordinal);
        Assert.Equal(0, intact.Exit);
        Assert.Contains("No server running", intact.Output, StringComparison.Ordinal);
        Assert.Contains("Audit chain intact", intact.Output, StringComparison.Ordinal);
        using (var db = new LiteDatabase(Path.Combine(_server.DataDirectory, "hotline.db")))
        {
            var audit = db.GetCollection("audit");
            var record = audit.FindById(new BsonValue(3L));
            record["actor"] = "nobody";
            Assert.True(audit.Update(record));
        }

        var tampered = await RunAsync("audit", "verify");

        Assert.Equal(ExitCodes.AuditChainBroken, tampered.Exit);
        Assert.Contains("AUDIT CHAIN BROKEN at record 3: record altered.", tampered.Output, StringComparison.Ordinal);
        Assert.Contains("records 1 to 2 are intact", tampered.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Message, purged.Output + intact.Output + tampered.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopped_LockdownUnlockAndTheirAuditRecords_WorkOnTheDataDirectory()
    {
        await _server.StopAsync();

        var locked = await RunAsync("lockdown");
        var disabled = await RunAsync("operators", "disable", OperatorId(1));
        var verified = await RunAsync("audit", "verify");
        var wrong = await RunWithKeyAsync(WriteKey(Convert.ToBase64String(new byte[32])), "unlock");
        var unlocked = await RunAsync("unlock");

        Assert.Equal(0, locked.Exit);
        Assert.Equal(0, disabled.Exit);
        Assert.Equal(0, verified.Exit);
        Assert.Contains("stays locked", verified.Output, StringComparison.Ordinal);
        Assert.Contains("1 account change(s) made during the lockdown wait to be chained at the unlock", verified.Output, StringComparison.Ordinal);
        Assert.Equal(5, wrong.Exit);
        Assert.Equal(0, unlocked.Exit);
        Assert.Contains("Unlocked", unlocked.Output, StringComparison.Ordinal);
        using var db = new LiteDatabase(Path.Combine(_server.DataDirectory, "hotline.db"));
        var actions = db.GetCollection("audit").FindAll().OrderBy(d => d["_id"].AsInt64).Select(d => (AuditAction)d["action"].AsInt32).TakeLast(3);
        Assert.Equal([AuditAction.Locked, AuditAction.OperatorDisabled, AuditAction.Unlocked], actions);
    }

    [Fact]
    public async Task Usage_ListsEveryVerbAndTheExitCodes()
    {
        var help = await RunAsync("--help");

        Assert.Equal(0, help.Exit);
        foreach (var verb in new[] { "unlock", "audit verify", "purge ID", "--closed-before DAYS", "--yes", "8 audit chain broken" })
        {
            Assert.Contains(verb, help.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnknownVerbsAndMissingIds_AreRefusedAsUnknownCommands()
    {
        var unknown = await RunAsync("operators", "frob", "x");
        var noId = await RunAsync("operators", "add", "--name", "N", "--role", "operator");
        var extra = await RunAsync("lockdown", "now");

        Assert.Equal(ExitCodes.Refused, unknown.Exit);
        Assert.Contains("hotline-server: refused (INVALID_FIELDS): unknown command 'operators frob x'; run with --help", unknown.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, noId.Exit);
        Assert.Contains("unknown command 'operators add'", noId.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, extra.Exit);
        Assert.Contains("unknown command 'lockdown now'", extra.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Locked down", extra.Output, StringComparison.Ordinal);
    }

    private Task<(int Exit, string Output)> RunAsync(params string[] args) => RunWithKeyAsync(_keyFile, args);

    private async Task<(int Exit, string Output)> RunWithKeyAsync(string? keyFile, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] configuration = keyFile is null
            ? ["--data-dir", _server.DataDirectory]
            : ["--data-dir", _server.DataDirectory, "--Hotline:MasterKeyFile", keyFile];
        var exit = await AdminCommandLine.RunAsync([.. args, .. configuration], output, error).DefaultTimeout();
        return (exit, output.ToString() + error);
    }

    private string WriteKey(string base64)
    {
        var path = Path.Combine(Path.GetTempPath(), "hotline-wrong-" + Guid.NewGuid().ToString("N") + ".key");
        File.WriteAllText(path, base64);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _keyFiles.Add(path);
        return path;
    }

    private static async Task<WatchRequestsResponse> ReadUntilAsync(AsyncServerStreamingCall<WatchRequestsResponse> call, Func<WatchRequestsResponse, bool> wanted)
    {
        while (await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
        {
            if (wanted(call.ResponseStream.Current))
            {
                return call.ResponseStream.Current;
            }
        }
        throw new InvalidOperationException("The watch ended before the awaited event.");
    }
}
