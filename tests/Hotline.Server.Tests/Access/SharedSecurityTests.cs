using System.Diagnostics;
using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Protection;
using Hotline.Server.Access;
using Hotline.Server.Admin;
using Hotline.Server.Flood;
using Hotline.Server.Tests.StoreSelection;
using Hotline.Storage;
using Hotline.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Access;

/// <summary>
/// Two servers on one PostgreSQL database, in process: each its own store, session registry,
/// operator directory, lockdown switch and <see cref="SecurityStateFollower"/>, as a real server
/// has them. What one decides binds the other: a revoked or disabled account's sessions end on both
/// and its token is refused by both; a lockdown on one locks the other (keys, sessions, exit); the
/// intake and failed-sign-in limits are one count across both.
/// </summary>
public sealed class SharedSecurityTests(PostgresClusterFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresClusterFixture>
{
    /// <summary>Long enough that only a notification can bring a change within a test's timeout.</summary>
    private static readonly TimeSpan NoReReadInTime = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task ATokenRevokedOnA_EndsTheSessionOnB_AndBRefusesIt_AtOnceOnTheNotification()
    {
        var (connectionString, masterKey) = NewDatabase();
        await using var a = await SharedServer.StartAsync(connectionString, masterKey, NoReReadInTime);
        await using var b = await SharedServer.StartAsync(connectionString, masterKey, NoReReadInTime);
        var annaToken = AccessTokens.Hash(AccessTokens.New());
        var borisToken = AccessTokens.Hash(AccessTokens.New());
        await a.Directory.ExecuteAsync(new AddOperatorCommand("anna", "Anna", Role.Operator, annaToken), CancellationToken.None).DefaultTimeout();
        await a.Directory.ExecuteAsync(new AddOperatorCommand("boris", "Boris", Role.Supervisor, borisToken), CancellationToken.None).DefaultTimeout();
        await WaitUntilAsync(() => b.Directory.FindByToken(annaToken) is not null && b.Directory.FindByToken(borisToken) is not null);
        using var annaOnB = b.Sessions.Open("anna", annaToken);
        using var borisOnB = b.Sessions.Open("boris", borisToken);
        using var annaOnA = a.Sessions.Open("anna", annaToken);

        var revoking = Stopwatch.StartNew();
        await a.Directory.ExecuteAsync(new ReplaceTokenCommand("anna", NewTokenHash: null), CancellationToken.None).DefaultTimeout();
        await WaitForAsync(annaOnB.Ended);
        output.WriteLine($"revoked on A, session on B ended after {revoking.Elapsed.TotalMilliseconds:F0} ms (re-read interval {NoReReadInTime})");
        await a.Directory.ExecuteAsync(new SetDisabledCommand("boris", Disabled: true), CancellationToken.None).DefaultTimeout();
        await WaitForAsync(borisOnB.Ended);

        Assert.Equal(SessionEnd.TokenRevoked, annaOnB.Reason);
        Assert.Equal(SessionEnd.TokenRevoked, annaOnA.Reason);
        Assert.Equal(SessionEnd.TokenRevoked, borisOnB.Reason);
        Assert.Null(b.Directory.FindByToken(annaToken));
        Assert.False(b.Directory.Accepts("anna", annaToken));
        Assert.False(b.Directory.Accepts("boris", borisToken));
        Assert.True(b.Directory.Find("boris")!.Disabled);
    }

    [Fact]
    public async Task ARevocationWhoseNotificationMayBeLost_StillReachesB()
    {
        var (connectionString, masterKey) = NewDatabase();
        await using var a = await SharedServer.StartAsync(connectionString, masterKey, NoReReadInTime, follow: false);
        await using var b = await SharedServer.StartAsync(connectionString, masterKey, TimeSpan.FromMilliseconds(500));
        var token = AccessTokens.Hash(AccessTokens.New());
        await a.Directory.ExecuteAsync(new AddOperatorCommand("anna", "Anna", Role.Operator, token), CancellationToken.None).DefaultTimeout();
        await WaitUntilAsync(() => b.Directory.FindByToken(token) is not null);
        using var session = b.Sessions.Open("anna", token);

        // B's listening connection dies: a notification sent now may never reach it.
        await TerminateAsync(connectionString, "hotline-listen-security");
        await a.Directory.ExecuteAsync(new ReplaceTokenCommand("anna", NewTokenHash: null), CancellationToken.None).DefaultTimeout();

        await WaitForAsync(session.Ended);
        Assert.Null(b.Directory.FindByToken(token));
    }

    [Fact]
    public async Task ALockdownOnA_LocksB_EndsItsSessions_AndAsksItsProcessToExit()
    {
        var (connectionString, masterKey) = NewDatabase();
        await using var a = await SharedServer.StartAsync(connectionString, masterKey, NoReReadInTime);
        await using var b = await SharedServer.StartAsync(connectionString, masterKey, NoReReadInTime);
        var token = AccessTokens.Hash(AccessTokens.New());
        await a.Directory.ExecuteAsync(new AddOperatorCommand("anna", "Anna", Role.Operator, token), CancellationToken.None).DefaultTimeout();
        await WaitUntilAsync(() => b.Directory.FindByToken(token) is not null);
        using var session = b.Sessions.Open("anna", token);
        var auditBefore = await CountAuditAsync(connectionString);

        await a.Lockdown.LockdownAsync(CancellationToken.None).DefaultTimeout();

        await WaitForAsync(session.Ended);
        Assert.Equal(SessionEnd.LockedDown, session.Reason);
        Assert.True(b.Store.Vault.IsLocked);
        // B ends its sessions first and asks its process to exit right after, on the same thread.
        await WaitUntilAsync(() => b.Lifetime.StopRequested && b.Lockdown.ProcessExitRequested);
        var refused = await Assert.ThrowsAsync<DomainException>(() =>
            b.Store.SubmitAsync(new NewHelpRequest
            {
                IntakeRequestId = "lock-1",
                SubmittedBy = "web-form",
                Channel = Channel.WebForm,
                ContactHandle = "+10000000",
                Language = "en",
                Message = "help",
                Urgency = Urgency.Routine,
            }, CancellationToken.None)).DefaultTimeout();
        Assert.Equal(ErrorReasons.LockedDown, refused.Reason);
        // B recorded nothing of its own: the one lockdown in the trail is A's.
        Assert.Equal(auditBefore + 1, await CountAuditAsync(connectionString));
    }

    [Fact]
    public async Task AReadOverlappingAnUnlockOnB_IsNotTakenForALockdown()
    {
        var (connectionString, masterKey) = NewDatabase();
        await using var a = await SharedServer.StartAsync(connectionString, masterKey, NoReReadInTime, follow: false);
        await using var b = await SharedServer.StartAsync(connectionString, masterKey, NoReReadInTime, follow: false);
        await a.Lockdown.LockdownAsync(CancellationToken.None).DefaultTimeout();
        var readAt = b.Lockdown.UnlockEpoch;

        // An admin unlocks through B between B's read (locked) and its acting on it.
        await b.Lockdown.UnlockAsync(masterKey, CancellationToken.None).DefaultTimeout();

        Assert.Null(b.Lockdown.FollowLockdown(readAt));
        Assert.False(b.Store.Vault.IsLocked);
        Assert.False(b.Lifetime.StopRequested);
        Assert.Equal(0, b.Lockdown.FollowLockdown(b.Lockdown.UnlockEpoch));
        Assert.True(b.Store.Vault.IsLocked);
    }

    [Fact]
    public async Task ACallerAtTheIntakeLimitOnA_IsLimitedOnB_AndTheGlobalLimitIsOneForBoth()
    {
        var (connectionString, masterKey) = NewDatabase();
        await using var a = await SharedServer.StartAsync(connectionString, masterKey, NoReReadInTime, follow: false);
        await using var b = await SharedServer.StartAsync(connectionString, masterKey, NoReReadInTime, follow: false);
        var perCaller = new IntakeOptions { PerCallerPerSecond = 0.01, Burst = 3, GlobalPerSecond = 0.01, GlobalBurst = 5 };
        var onA = a.IntakeLimiter(perCaller);
        var onB = b.IntakeLimiter(perCaller);

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await onA.AdmitAsync("sms", CancellationToken.None).AsTask().DefaultTimeout()).Admitted);
        }
        var refused = await onB.AdmitAsync("sms", CancellationToken.None).AsTask().DefaultTimeout();
        Assert.Equal(IntakeLimit.Caller, refused.RefusedBy);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(101));
        Assert.True((await onB.AdmitAsync("web-form", CancellationToken.None).AsTask().DefaultTimeout()).Admitted);
        Assert.True((await onA.AdmitAsync("telegram", CancellationToken.None).AsTask().DefaultTimeout()).Admitted);
        // Five taken in all, three through A and two through B: the global bucket is empty for both.
        Assert.Equal(IntakeLimit.Global, (await onB.AdmitAsync("signal", CancellationToken.None).AsTask().DefaultTimeout()).RefusedBy);
        Assert.Equal(IntakeLimit.Global, (await onA.AdmitAsync("signal", CancellationToken.None).AsTask().DefaultTimeout()).RefusedBy);
    }

    [Fact]
    public async Task FailedSignInsThroughBothServers_AreOneCount()
    {
        var (connectionString, masterKey) = NewDatabase();
        await using var a = await SharedServer.StartAsync(connectionString, masterKey, NoReReadInTime, follow: false);
        await using var b = await SharedServer.StartAsync(connectionString, masterKey, NoReReadInTime, follow: false);
        var limits = new AuthenticationOptions { MaxFailures = 4, FailureWindow = TimeSpan.FromMinutes(1) };
        var onA = a.FailureLimit(limits);
        var onB = b.FailureLimit(limits);
        const string Source = "198.51.100.7";

        Assert.Equal(new AuthenticationFailureVerdict(null, false), onA.CountFailure(Source));
        Assert.Equal(new AuthenticationFailureVerdict(null, false), onB.CountFailure(Source));
        Assert.Equal(new AuthenticationFailureVerdict(null, false), onA.CountFailure(Source));
        Assert.Equal(new AuthenticationFailureVerdict(null, true), onB.CountFailure(Source));
        var refusedOnA = onA.CountFailure(Source);
        var refusedOnB = onB.CountFailure(Source);

        Assert.InRange(refusedOnA.RefuseFor!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        Assert.InRange(refusedOnB.RefuseFor!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        Assert.Equal(new AuthenticationFailureVerdict(null, false), onA.CountFailure("198.51.100.8"));
    }

    [Fact]
    public async Task TheStoreDecides_LiteDbKeepsThisServersLimits_PostgresSharesThem()
    {
        await using var onLiteDb = await HotlineTestServer.StartAsync();
        await using var onPostgres = await HotlineTestServer.StartAsync(postgres: postgres.Cluster.CreateDatabase());

        Assert.IsType<IntakeRateLimiter>(onLiteDb.Services.GetRequiredService<IIntakeLimiter>());
        Assert.IsType<FailedAuthenticationLimiter>(onLiteDb.Services.GetRequiredService<IAuthenticationFailureLimit>());
        Assert.Null(onLiteDb.Services.GetRequiredService<SharedSecurity>().State);
        Assert.Equal(0, FollowerOf(onLiteDb).Reads);

        Assert.IsType<SharedIntakeRateLimiter>(onPostgres.Services.GetRequiredService<IIntakeLimiter>());
        Assert.IsType<SharedFailedAuthenticationLimiter>(onPostgres.Services.GetRequiredService<IAuthenticationFailureLimit>());
        await WaitUntilAsync(() => FollowerOf(onPostgres).Reads > 0);
    }

    private static SecurityStateFollower FollowerOf(HotlineTestServer server) =>
        server.Services.GetServices<IHostedService>().OfType<SecurityStateFollower>().Single();

    private (string ConnectionString, byte[] MasterKey) NewDatabase() =>
        (postgres.Cluster.CreateDatabase(), RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength));

    private static async Task WaitForAsync(CancellationToken ended)
    {
        var done = new TaskCompletionSource();
        await using (ended.Register(() => done.TrySetResult()))
        {
            await done.Task.DefaultTimeout();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > TaskTimeouts.Default)
            {
                throw new TimeoutException("The condition did not hold in time.");
            }
            await Task.Delay(20);
        }
    }

    private static async Task TerminateAsync(string connectionString, string applicationName)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var kill = data.CreateCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @name");
        kill.Parameters.AddWithValue("name", applicationName);
        Assert.Equal(1L, await kill.ExecuteScalarAsync().DefaultTimeout());
    }

    private static async Task<long> CountAuditAsync(string connectionString)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var count = data.CreateCommand("SELECT count(*) FROM audit");
        return (long)(await count.ExecuteScalarAsync().DefaultTimeout())!;
    }

    /// <summary>One server's security pieces, as the host wires them, on its own store.</summary>
    private sealed class SharedServer : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        private SharedServer(PostgresRequestStore store)
        {
            Store = store;
            Directory = new OperatorDirectory(store, Sessions);
            Lockdown = new LockdownSwitch(store.Vault, Sessions, Options.Create(new LockdownOptions()), Lifetime, NullLogger<LockdownSwitch>.Instance);
            Follower = new SecurityStateFollower(SharedSecurity.Of(store), Directory, Lockdown, TimeProvider.System,
                NullLogger<SecurityStateFollower>.Instance);
        }

        public PostgresRequestStore Store { get; }
        public SessionRegistry Sessions { get; } = new();
        public OperatorDirectory Directory { get; }
        public RecordingLifetime Lifetime { get; } = new();
        public LockdownSwitch Lockdown { get; }
        public SecurityStateFollower Follower { get; }

        public static async Task<SharedServer> StartAsync(string connectionString, byte[] masterKey, TimeSpan reReadInterval, bool follow = true)
        {
            var store = await PostgresRequestStore.OpenAsync(connectionString, new RequestStoreOptions(), TimeProvider.System,
                NoChangeListener.Instance, NullLogger.Instance, masterKey, reReadInterval, CancellationToken.None).DefaultTimeout();
            var server = new SharedServer(store);
            await server.Directory.LoadAsync(CancellationToken.None).DefaultTimeout();
            if (follow)
            {
                await server.Follower.StartAsync(server._stop.Token).DefaultTimeout();
                // Listening once the first read is done: from then on a notification is not missed.
                await WaitUntilAsync(() => server.Follower.Reads > 0);
            }
            return server;
        }

        public SharedIntakeRateLimiter IntakeLimiter(IntakeOptions limits) =>
            new(Store.RateLimits!, new IntakeRateLimiter(Options.Create(limits), TimeProvider.System), Options.Create(limits), TimeProvider.System,
                NullLogger<SharedIntakeRateLimiter>.Instance);

        public SharedFailedAuthenticationLimiter FailureLimit(AuthenticationOptions limits) =>
            new(Store.RateLimits!, Options.Create(limits), TimeProvider.System, NullLogger<SharedFailedAuthenticationLimiter>.Instance);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Follower.StopAsync(CancellationToken.None).DefaultTimeout();
            Follower.Dispose();
            Store.Dispose();
            _stop.Dispose();
        }
    }

    private sealed class RecordingLifetime : IHostApplicationLifetime
    {
        private int _stopRequested;

        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public bool StopRequested => Volatile.Read(ref _stopRequested) != 0;

        public void StopApplication() => Interlocked.Exchange(ref _stopRequested, 1);
    }
}
