using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.V1;
using Hotline.Tests;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>The admin command line as an administrator runs it: the real binary, on a stopped and on a running server.</summary>
[Collection(ProcessTests.Name)]
public sealed partial class AdminCommandLineTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-cli-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task StoppedServer_AddListDisable_ThenTheServerHonoursThem()
    {
        var added = await RunAsync("operators", "add", "zarina", "--name", "Зарина A.", "--role", "supervisor", "--data-dir", _dataDirectory);
        Assert.Equal(0, added.ExitCode);
        Assert.Contains("No server running", added.Output, StringComparison.Ordinal);
        Assert.Contains("Added operators/zarina \"Зарина A.\" (supervisor)", added.Output, StringComparison.Ordinal);
        var token = TokenIn(added.Output);
        await RunAsync("operators", "add", "mole", "--name", "Mole", "--role", "operator", "--data-dir", _dataDirectory);
        var disabled = await RunAsync("operators", "disable", "mole", "--data-dir", _dataDirectory);
        Assert.Contains("Disabled operators/mole", disabled.Output, StringComparison.Ordinal);

        var list = await RunAsync("operators", "list", "--data-dir", _dataDirectory);
        Assert.Equal(0, list.ExitCode);
        Assert.Matches(@"operators/zarina\s+Зарина A\.\s+supervisor\s+enabled\s+yes", list.Output);
        Assert.Matches(@"operators/mole\s+Mole\s+operator\s+disabled", list.Output);
        Assert.DoesNotContain(token, list.Output, StringComparison.Ordinal);

        var duplicate = await RunAsync("operators", "add", "zarina", "--name", "Again", "--role", "operator", "--data-dir", _dataDirectory);
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("OPERATOR_EXISTS", duplicate.Output, StringComparison.Ordinal);

        await using var server = await ServerProcess.StartAsync(_dataDirectory);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var me = await new OperatorService.OperatorServiceClient(channel).WhoAmIAsync(new WhoAmIRequest(), Bearer(token)).ResponseAsync.DefaultTimeout();
        Assert.Equal("operators/zarina", me.Operator.Name);
        Assert.DoesNotContain(token, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task RunningServer_RotateThroughAdminSocket_EndsTheWatchAndIssuesAWorkingToken()
    {
        await using var server = await ServerProcess.StartAsync(_dataDirectory);
        var socket = Path.Combine(_dataDirectory, "admin.sock");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
        using var cts = new CancellationTokenSource();
        using var watch = server.Requests.WatchRequests(new WatchRequestsRequest(),
            new CallOptions(HotlineTestServer.Bearer(ServerProcess.Operator), cancellationToken: cts.Token));
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());

        var tokenFile = Path.Combine(_dataDirectory + "-home", "hotline", "operator.token");
        var rotated = await RunAsync("operators", "rotate", ServerProcess.Operator, "--token-file", tokenFile, "--data-dir", _dataDirectory);

        Assert.Equal(0, rotated.ExitCode);
        Assert.Contains("Server running", rotated.Output, StringComparison.Ordinal);
        Assert.Contains("Ended 1 open watch stream(s)", rotated.Output, StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await watch.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }).DefaultTimeout();
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("TOKEN_REVOKED", RpcAssert.ErrorInfo(error).Reason);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
        var token = (await File.ReadAllTextAsync(tokenFile)).Trim();
        Assert.DoesNotContain(token, rotated.Output, StringComparison.Ordinal);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var operators = new OperatorService.OperatorServiceClient(channel);
        Assert.Equal("operators/" + ServerProcess.Operator,
            (await operators.WhoAmIAsync(new WhoAmIRequest(), Bearer(token)).ResponseAsync.DefaultTimeout()).Operator.Name);
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated,
            () => operators.WhoAmIAsync(new WhoAmIRequest(), ServerProcess.As(ServerProcess.Operator)).ResponseAsync);

        var added = await RunAsync("operators", "add", "night-shift", "--name", "Night shift", "--role", "operator", "--data-dir", _dataDirectory);
        Assert.Contains("Server running", added.Output, StringComparison.Ordinal);
        var list = await RunAsync("operators", "list", "--data-dir", _dataDirectory);
        Assert.Contains("operators/night-shift", list.Output, StringComparison.Ordinal);

        await server.TerminateAsync();
        Assert.DoesNotContain(token, server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(TokenIn(added.Output), server.Output, StringComparison.Ordinal);
        Directory.Delete(_dataDirectory + "-home", recursive: true);
    }

    [Fact]
    public async Task FirstRun_PrintsTheCommandThatCreatesTheFirstAdmin_AndItWorks()
    {
        string hint;
        await using (var server = await ServerProcess.StartAsync(_dataDirectory))
        {
            var line = server.Output.Split('\n').Single(l => l.Contains("No admin exists yet", StringComparison.Ordinal));
            hint = line[(line.IndexOf("with: ", StringComparison.Ordinal) + "with: ".Length)..].Trim();
            output.WriteLine("hint: " + hint);
            var created = await RunShellAsync(hint);
            Assert.Equal(0, created.ExitCode);
            Assert.Contains("Server running", created.Output, StringComparison.Ordinal);
            Assert.Contains("Added operators/admin \"Administrator\" (admin)", created.Output, StringComparison.Ordinal);
            await server.TerminateAsync();
        }
        await using var restarted = await ServerProcess.StartAsync(_dataDirectory);
        Assert.DoesNotContain("No admin exists yet", restarted.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadTokens_AreLoggedWithoutTheToken_AndRateLimited()
    {
        await using var server = await ServerProcess.StartAsync(_dataDirectory);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var operators = new OperatorService.OperatorServiceClient(channel);
        var guesses = Enumerable.Range(0, 10).Select(_ => Domain.AccessTokens.New()).ToList();
        foreach (var guess in guesses)
        {
            await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => operators.WhoAmIAsync(new WhoAmIRequest(), Bearer(guess)).ResponseAsync);
        }
        await RpcAssert.FailsWithReasonAsync(StatusCode.ResourceExhausted, "RATE_LIMITED",
            () => operators.WhoAmIAsync(new WhoAmIRequest(), Bearer(Domain.AccessTokens.New())).ResponseAsync);
        // The guesses lock out only further guesses: a valid token from the same address goes through.
        var me = await operators.WhoAmIAsync(new WhoAmIRequest(), ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout();
        Assert.Equal("operators/" + ServerProcess.Supervisor, me.Operator.Name);
        await server.TerminateAsync();
        Assert.Contains("Authentication failed from 127.0.0.1", server.Output, StringComparison.Ordinal);
        Assert.Contains("Too many failed authentications from 127.0.0.1", server.Output, StringComparison.Ordinal);
        Assert.All(guesses, g => Assert.DoesNotContain(g[3..20], server.Output, StringComparison.Ordinal));
        Assert.DoesNotContain(HotlineTestServer.TokenOf(ServerProcess.Supervisor)[3..20], server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunningServer_LockdownUnlockAndPurge_ThroughTheRealBinary()
    {
        const string message = "canary-5b1e: please call after dark";
        string name;
        CommandLineResult locked;
        string firstOutput;
        await using (var first = await ServerProcess.StartAsync(_dataDirectory))
        {
            name = (await first.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "p1", Channel = Channel.Sms, ContactHandle = "+15550104477", Message = message },
                ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout()).Name;

            locked = await RunAsync("lockdown", "--data-dir", _dataDirectory);

            // The process ends itself once the lock is on disk, so nothing it read stays in memory.
            Assert.Equal(ExitCodes.LockedDown, await first.WaitForExitAsync());
            firstOutput = first.Output;
        }
        Assert.Contains("The server is stopping (exit code 10)", locked.Output, StringComparison.Ordinal);
        // Started again by its supervisor, it comes up locked and waits for unlock.
        await using var server = await ServerProcess.StartAsync(_dataDirectory);
        Assert.Contains("The installation is locked down", server.Output, StringComparison.Ordinal);
        await RpcAssert.FailsWithReasonAsync(StatusCode.FailedPrecondition, "LOCKED_DOWN",
            () => server.Requests.ListRequestsAsync(new ListRequestsRequest(), ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync);
        var wrong = await RunWithKeyAsync(Convert.ToBase64String(new byte[32]), "unlock", "--data-dir", _dataDirectory);
        await RpcAssert.FailsWithReasonAsync(StatusCode.FailedPrecondition, "LOCKED_DOWN",
            () => server.Requests.ListRequestsAsync(new ListRequestsRequest(), ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync);
        var unlocked = await RunAsync("unlock", "--data-dir", _dataDirectory);

        Assert.Equal(0, locked.ExitCode);
        Assert.Equal(5, wrong.ExitCode);
        Assert.Contains("MASTER_KEY_MISMATCH", wrong.Output, StringComparison.Ordinal);
        Assert.Equal(0, unlocked.ExitCode);
        Assert.Contains("Unlocked", unlocked.Output, StringComparison.Ordinal);
        await server.Requests.ListRequestsAsync(new ListRequestsRequest(), ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = server.Requests.WatchRequests(new WatchRequestsRequest(),
            new CallOptions(HotlineTestServer.Bearer(ServerProcess.Supervisor), cancellationToken: cts.Token));
        while (await watch.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout()
            && watch.ResponseStream.Current.EventCase != WatchRequestsResponse.EventOneofCase.SnapshotEnd)
        {
        }
        var purged = await RunAsync("purge", name, "--yes", "--data-dir", _dataDirectory);
        Assert.Equal(0, purged.ExitCode);
        Assert.Contains("Purged " + name, purged.Output, StringComparison.Ordinal);
        RequestChange? deleted = null;
        while (deleted is null && await watch.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
        {
            deleted = watch.ResponseStream.Current.Change is { Kind: ChangeKind.Deleted } change ? change : null;
        }
        Assert.Equal(name, deleted!.Name);
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            () => server.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync);
        var verified = await RunAsync("audit", "verify", "--data-dir", _dataDirectory);
        Assert.Equal(0, verified.ExitCode);

        await server.TerminateAsync();
        var everything = firstOutput + server.Output + locked.Output + wrong.Output + unlocked.Output + purged.Output + verified.Output;
        Assert.DoesNotContain(message, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("5550104477", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(HotlineTestServer.MasterKey, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppedServer_PurgeAndAuditVerify_AndATamperedChainExitsEight()
    {
        string name;
        await using (var server = await ServerProcess.StartAsync(_dataDirectory))
        {
            name = (await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "t1", Channel = Channel.Sms, Message = "t" },
                ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout()).Name;
            await server.TerminateAsync();
        }

        var preview = await RunAsync("purge", name, "--data-dir", _dataDirectory);
        var purged = await RunAsync("purge", name, "--yes", "--data-dir", _dataDirectory);
        var intact = await RunAsync("audit", "verify", "--data-dir", _dataDirectory);
        using (var db = new LiteDB.LiteDatabase(Path.Combine(_dataDirectory, "hotline.db")))
        {
            Assert.True(db.GetCollection("audit").Delete(new LiteDB.BsonValue(2L)));
        }
        var tampered = await RunAsync("audit", "verify", "--data-dir", _dataDirectory);

        Assert.Equal(1, preview.ExitCode);
        Assert.Contains("Would purge " + name, preview.Output, StringComparison.Ordinal);
        Assert.Equal(0, purged.ExitCode);
        Assert.Contains("No server running", purged.Output, StringComparison.Ordinal);
        Assert.Equal(0, intact.ExitCode);
        Assert.Contains("Audit chain intact", intact.Output, StringComparison.Ordinal);
        output.WriteLine(tampered.Output);
        Assert.Equal(8, tampered.ExitCode);
        Assert.Contains("AUDIT CHAIN BROKEN at record 2: record missing.", tampered.Output, StringComparison.Ordinal);
    }

    private static CallOptions Bearer(string token) =>
        new(new Metadata { { "authorization", "Bearer " + token } }, DateTime.UtcNow.AddSeconds(15));

    private static string TokenIn(string text) => TokenPattern().Match(text) is { Success: true } m ? m.Value : throw new InvalidOperationException("No token printed:\n" + text);

    private static Task<CommandLineResult> RunAsync(params string[] args) => ServerProcess.AdministerAsync(args);

    private static Task<CommandLineResult> RunWithKeyAsync(string masterKey, params string[] args) =>
        ServerProcess.AdministerAsync(args, new Dictionary<string, string?> { ["HOTLINE_MASTER_KEY"] = masterKey });

    /// <summary>A command line the server printed, run through a shell exactly as printed, with the environment its servers get.</summary>
    private static Task<CommandLineResult> RunShellAsync(string command) =>
        ServerCommandLine.RunProgramAsync("bash", ["-c", command], ServerProcess.ServerEnvironment());

    [GeneratedRegex("hl_[a-z2-7]{52}")]
    private static partial Regex TokenPattern();

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
}
