using Hotline.Server.Flood;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Server.Tests.Flood;

public sealed class IntakeRateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Caller_BurstThenRefused_UntilTheNextTokenIsDue()
    {
        var limiter = Limiter(perCaller: 2, burst: 3, global: 1_000, globalBurst: 1_000);

        Assert.All(Enumerable.Range(0, 3), _ => Assert.True(limiter.TryAdmit("sms").Admitted));
        var refused = limiter.TryAdmit("sms");

        Assert.Equal(IntakeLimit.Caller, refused.RefusedBy);
        Assert.Equal(TimeSpan.FromMilliseconds(500), refused.RetryAfter);
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(limiter.TryAdmit("sms").Admitted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryAdmit("sms").Admitted);
        Assert.False(limiter.TryAdmit("sms").Admitted);
        Assert.True(limiter.TryAdmit("web-form").Admitted);
    }

    [Fact]
    public void Global_IsSharedByAllCallers_AndSpreadsRetries()
    {
        var limiter = Limiter(perCaller: 1_000, burst: 1_000, global: 1, globalBurst: 2);

        Assert.True(limiter.TryAdmit("a").Admitted);
        Assert.True(limiter.TryAdmit("b").Admitted);
        var refused = limiter.TryAdmit("c");

        Assert.Equal(IntakeLimit.Global, refused.RefusedBy);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1) + IntakeRateLimiter.GlobalRetrySpread);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAdmit("c").Admitted);
        Assert.False(limiter.TryAdmit("a").Admitted);
    }

    [Fact]
    public void RefusedByItsOwnLimit_ACallerCannotDrainTheGlobalBudget()
    {
        var limiter = Limiter(perCaller: 0.001, burst: 1, global: 0.001, globalBurst: 2);

        Assert.True(limiter.TryAdmit("flooder").Admitted);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(IntakeLimit.Caller, limiter.TryAdmit("flooder").RefusedBy);
        }

        Assert.True(limiter.TryAdmit("honest").Admitted);
    }

    [Fact]
    public void RefusedByTheGlobalLimit_ACallerKeepsItsOwnTokens()
    {
        var limiter = Limiter(perCaller: 0.001, burst: 2, global: 1, globalBurst: 1);

        Assert.True(limiter.TryAdmit("sms").Admitted);
        Assert.Equal(IntakeLimit.Global, limiter.TryAdmit("sms").RefusedBy);
        Assert.Equal(IntakeLimit.Global, limiter.TryAdmit("sms").RefusedBy);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(limiter.TryAdmit("sms").Admitted);
        Assert.Equal(IntakeLimit.Caller, limiter.TryAdmit("sms").RefusedBy);
    }

    [Fact]
    public void BothLimitsExhausted_RetryAfterCoversTheLongerWait()
    {
        var limiter = Limiter(perCaller: 0.1, burst: 1, global: 1, globalBurst: 1);

        Assert.True(limiter.TryAdmit("sms").Admitted);
        var refused = limiter.TryAdmit("sms");

        Assert.Equal(IntakeLimit.Caller, refused.RefusedBy);
        Assert.Equal(TimeSpan.FromSeconds(10), refused.RetryAfter);
    }

    [Fact]
    public void Refusals_AreReportedAtOnceThenAsOneSumPerPeriod()
    {
        var limiter = Limiter(perCaller: 0.001, burst: 1, global: 1_000, globalBurst: 1_000);
        limiter.TryAdmit("sms");

        Assert.Equal(1, limiter.TryAdmit("sms").RefusalsToReport);
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal(0, limiter.TryAdmit("sms").RefusalsToReport));
        _time.Advance(IntakeRateLimiter.ReportPeriod);
        Assert.Equal(6, limiter.TryAdmit("sms").RefusalsToReport);
        Assert.Equal(0, limiter.TryAdmit("sms").RefusalsToReport);
    }

    [Fact]
    public void ManyCallers_IdleBucketsAreForgotten()
    {
        var limiter = Limiter(perCaller: 10, burst: 10, global: 1_000_000, globalBurst: 1_000_000);
        for (var i = 0; i < 3_000; i++)
        {
            Assert.True(limiter.TryAdmit($"caller-{i}").Admitted);
        }
        Assert.True(limiter.TrackedCallers > 1_000);

        _time.Advance(TimeSpan.FromSeconds(1));
        limiter.TryAdmit("newcomer");

        Assert.Equal(1, limiter.TrackedCallers);
    }

    private IntakeRateLimiter Limiter(double perCaller, int burst, double global, int globalBurst) =>
        new(Options.Create(new IntakeOptions { PerCallerPerSecond = perCaller, Burst = burst, GlobalPerSecond = global, GlobalBurst = globalBurst }), _time);
}
