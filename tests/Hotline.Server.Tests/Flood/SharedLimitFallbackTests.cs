using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Flood;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Server.Tests.Flood;

/// <summary>
/// When the database holding the shared limits does not answer: a failed sign-in is refused (fails
/// closed, so a guesser gains nothing from an outage), while intake falls back to this server's own
/// buckets with the same limits (a person's request is never refused because a limiter could not be
/// asked, and a flood is still held per server). Once a source is over the shared limit, this server
/// refuses it from memory without asking the database again until its window ends.
/// </summary>
public sealed class SharedLimitFallbackTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void FailedSignIn_WhileTheSharedCountDoesNotAnswer_IsRefusedAsRateLimited()
    {
        var shared = new ScriptedLimits { Unavailable = true };
        var limiter = FailureLimit(shared, maxFailures: 10);

        var verdict = limiter.CountFailure("192.0.2.1");

        Assert.Equal(SharedFailedAuthenticationLimiter.UnavailableRefusal, verdict.RefuseFor);
        Assert.False(verdict.ReachedLimit);
    }

    [Fact]
    public void ASourceOverTheSharedLimit_IsRefusedFromMemory_UntilItsWindowEnds()
    {
        var shared = new ScriptedLimits { Failures = 4, WindowLeft = TimeSpan.FromSeconds(30) };
        var limiter = FailureLimit(shared, maxFailures: 3);

        Assert.Equal(TimeSpan.FromSeconds(30), limiter.CountFailure("192.0.2.1").RefuseFor);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(20), limiter.CountFailure("192.0.2.1").RefuseFor);
        Assert.Equal(1, shared.Counted);

        _time.Advance(TimeSpan.FromSeconds(20));
        shared.Failures = 1;
        Assert.Equal(new AuthenticationFailureVerdict(null, false), limiter.CountFailure("192.0.2.1"));
        Assert.Equal(2, shared.Counted);
    }

    [Fact]
    public void TheFailureThatReachesTheSharedLimit_IsCountedAndReported_NotRefused()
    {
        var shared = new ScriptedLimits { Failures = 3, WindowLeft = TimeSpan.FromSeconds(45) };
        var limiter = FailureLimit(shared, maxFailures: 3);

        Assert.Equal(new AuthenticationFailureVerdict(null, true), limiter.CountFailure("192.0.2.1"));
        Assert.Equal(TimeSpan.FromSeconds(45), limiter.CountFailure("192.0.2.1").RefuseFor);
    }

    [Fact]
    public async Task Intake_WhileTheSharedBucketsDoNotAnswer_IsLimitedByThisServersOwnBuckets()
    {
        var shared = new ScriptedLimits { Unavailable = true };
        var limits = new IntakeOptions { PerCallerPerSecond = 1, Burst = 2, GlobalPerSecond = 100, GlobalBurst = 100 };
        var limiter = new SharedIntakeRateLimiter(shared, new IntakeRateLimiter(Options.Create(limits), _time), Options.Create(limits), _time,
            NullLogger<SharedIntakeRateLimiter>.Instance);

        Assert.True((await limiter.AdmitAsync("sms", CancellationToken.None)).Admitted);
        Assert.True((await limiter.AdmitAsync("sms", CancellationToken.None)).Admitted);
        Assert.Equal(IntakeLimit.Caller, (await limiter.AdmitAsync("sms", CancellationToken.None)).RefusedBy);
        Assert.True((await limiter.AdmitAsync("web-form", CancellationToken.None)).Admitted);
    }

    [Fact]
    public async Task Intake_RefusedByTheSharedBuckets_SaysWhichLimit_AndReportsAtMostOncePerPeriod()
    {
        var shared = new ScriptedLimits { Take = new SharedTake(0, TimeSpan.FromSeconds(2)) };
        var limits = new IntakeOptions();
        var limiter = new SharedIntakeRateLimiter(shared, new IntakeRateLimiter(Options.Create(limits), _time), Options.Create(limits), _time,
            NullLogger<SharedIntakeRateLimiter>.Instance);

        var first = await limiter.AdmitAsync("sms", CancellationToken.None);
        var second = await limiter.AdmitAsync("sms", CancellationToken.None);
        _time.Advance(IntakeRateLimiter.ReportPeriod);
        var third = await limiter.AdmitAsync("sms", CancellationToken.None);
        shared.Take = new SharedTake(1, TimeSpan.FromSeconds(1));
        var global = await limiter.AdmitAsync("sms", CancellationToken.None);

        Assert.Equal((IntakeLimit.Caller, TimeSpan.FromSeconds(2)), (first.RefusedBy, first.RetryAfter));
        Assert.Equal([1L, 0L, 2L], new[] { first.RefusalsToReport, second.RefusalsToReport, third.RefusalsToReport });
        Assert.Equal(IntakeLimit.Global, global.RefusedBy);
        Assert.InRange(global.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1) + IntakeRateLimiter.GlobalRetrySpread);
        Assert.All(shared.Asked, buckets => Assert.Equal([SharedIntakeRateLimiter.CallerScope, SharedIntakeRateLimiter.GlobalScope],
            buckets.Select(b => b.Scope)));
    }

    private SharedFailedAuthenticationLimiter FailureLimit(ISharedRateLimits shared, int maxFailures) =>
        new(shared, Options.Create(new AuthenticationOptions { MaxFailures = maxFailures, FailureWindow = TimeSpan.FromMinutes(1) }), _time,
            NullLogger<SharedFailedAuthenticationLimiter>.Instance);

    /// <summary>Shared limits that answer what the test sets, or do not answer at all.</summary>
    private sealed class ScriptedLimits : ISharedRateLimits
    {
        public bool Unavailable { get; set; }
        public int Failures { get; set; } = 1;
        public TimeSpan WindowLeft { get; set; } = TimeSpan.FromMinutes(1);
        public SharedTake Take { get; set; } = new(-1, TimeSpan.Zero);
        public int Counted { get; private set; }
        public List<IReadOnlyList<SharedBucket>> Asked { get; } = [];

        public Task<SharedTake> TakeAsync(IReadOnlyList<SharedBucket> buckets, CancellationToken cancellationToken)
        {
            Asked.Add(buckets);
            return Unavailable ? Task.FromException<SharedTake>(Down()) : Task.FromResult(Take);
        }

        public SharedFailureCount CountFailure(string scope, string key, TimeSpan window)
        {
            Counted++;
            return Unavailable ? throw Down() : new SharedFailureCount(Failures, WindowLeft);
        }

        public Task<int> PruneAsync(CancellationToken cancellationToken) => Task.FromResult(0);

        private static SharedLimitUnavailableException Down() => new("down", new TimeoutException());
    }
}
