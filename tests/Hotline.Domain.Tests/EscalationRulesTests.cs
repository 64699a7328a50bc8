using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;
using static Hotline.Domain.Tests.People;

namespace Hotline.Domain.Tests;

/// <summary>The threshold rules, driven by a fake clock that starts when the request arrives.</summary>
public class EscalationRulesTests
{
    private readonly FakeTimeProvider _clock = new(Requests.Created);

    private static HelpRequest Arrived(Urgency urgency) => Requests.New() with { Urgency = urgency };

    [Theory]
    [InlineData(Urgency.ImmediateDanger, 5, 15)]
    [InlineData(Urgency.Urgent, 30, 60)]
    [InlineData(Urgency.Routine, 60, 90)]
    public void Defaults_EachUrgency_CrossStepOneThenTwoAtItsThresholds(Urgency urgency, int firstMinutes, int secondMinutes)
    {
        var rules = EscalationRules.Default;
        var request = Arrived(urgency);

        _clock.Advance(TimeSpan.FromMinutes(firstMinutes) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, rules.StepAt(request, _clock.GetUtcNow()));
        Assert.Equal(Requests.Created.AddMinutes(firstMinutes), rules.NextCrossing(request));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, rules.StepAt(request, _clock.GetUtcNow()));

        var stepOne = new EscalateCommand(rules).Apply(request, _clock.GetUtcNow());
        Assert.Equal(ChangeKind.Escalated, stepOne.Kind);
        Assert.Equal(1, stepOne.Request.EscalationStep);
        Assert.Equal(Requests.Created.AddMinutes(secondMinutes), rules.NextCrossing(stepOne.Request));

        _clock.Advance(TimeSpan.FromMinutes(secondMinutes - firstMinutes));
        var stepTwo = new EscalateCommand(rules).Apply(stepOne.Request, _clock.GetUtcNow());
        Assert.Equal(2, stepTwo.Request.EscalationStep);
        Assert.Null(rules.NextCrossing(stepTwo.Request));
    }

    [Fact]
    public void Escalate_BeforeTheFirstThreshold_ChangesNothing()
    {
        _clock.Advance(TimeSpan.FromMinutes(4));

        var outcome = new EscalateCommand(EscalationRules.Default).Apply(Arrived(Urgency.ImmediateDanger), _clock.GetUtcNow());

        Assert.False(outcome.Changed);
    }

    [Fact]
    public void Escalate_AlreadyRecordedStep_ChangesNothingSoARepeatedPassWritesNothing()
    {
        _clock.Advance(TimeSpan.FromMinutes(6));
        var once = new EscalateCommand(EscalationRules.Default).Apply(Arrived(Urgency.ImmediateDanger), _clock.GetUtcNow());

        var twice = new EscalateCommand(EscalationRules.Default).Apply(once.Request, _clock.GetUtcNow());

        Assert.True(once.Changed);
        Assert.False(twice.Changed);
    }

    [Fact]
    public void Escalate_BothThresholdsPassedWhileDown_GoesStraightToStepTwoInOneChange()
    {
        _clock.Advance(TimeSpan.FromHours(1));

        var outcome = new EscalateCommand(EscalationRules.Default).Apply(Arrived(Urgency.ImmediateDanger), _clock.GetUtcNow());

        Assert.Equal(2, outcome.Request.EscalationStep);
    }

    [Fact]
    public void Claim_OverdueRequest_ClearsTheStepAndStopsTheClock()
    {
        _clock.Advance(TimeSpan.FromMinutes(20));
        var overdue = new EscalateCommand(EscalationRules.Default).Apply(Arrived(Urgency.ImmediateDanger), _clock.GetUtcNow()).Request;

        var claimed = new AssignCommand(Anna, Anna).Apply(overdue, _clock.GetUtcNow()).Request;

        Assert.Equal(0, claimed.EscalationStep);
        Assert.Null(EscalationRules.Default.NextCrossing(claimed));
        _clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(0, EscalationRules.Default.StepAt(claimed, _clock.GetUtcNow()));
        Assert.False(new EscalateCommand(EscalationRules.Default).Apply(claimed, _clock.GetUtcNow()).Changed);
    }

    [Fact]
    public void Release_RestartsTheClockFromTheRelease()
    {
        _clock.Advance(TimeSpan.FromMinutes(3));
        var held = new AssignCommand(Anna, Anna).Apply(Arrived(Urgency.ImmediateDanger), _clock.GetUtcNow()).Request;
        _clock.Advance(TimeSpan.FromMinutes(30));

        var released = new ReleaseCommand(Anna).Apply(held, _clock.GetUtcNow()).Request;

        Assert.Equal(_clock.GetUtcNow(), released.WaitingSince);
        Assert.Equal(0, EscalationRules.Default.StepAt(released, _clock.GetUtcNow()));
        Assert.Equal(_clock.GetUtcNow().AddMinutes(5), EscalationRules.Default.NextCrossing(released));
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, EscalationRules.Default.StepAt(released, _clock.GetUtcNow()));
    }

    [Fact]
    public void Reopen_WithoutHolder_WaitsFromTheReopen()
    {
        var closed = Requests.Closed(lastAssignee: null, Sofia) with { EscalationStep = 0 };

        var reopened = new ReopenCommand(Sofia).Apply(closed, Requests.Now).Request;

        Assert.Equal(RequestState.New, reopened.State);
        Assert.Equal(Requests.Now, reopened.WaitingSince);
    }

    [Fact]
    public void Rules_Configured_AreUsedInsteadOfTheDefaults()
    {
        var tiny = new EscalationThreshold(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
        var rules = new EscalationRules(tiny, tiny, tiny);
        _clock.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(2, rules.StepAt(Arrived(Urgency.Routine), _clock.GetUtcNow()));
        Assert.Empty(rules.Problems());
    }

    [Fact]
    public void Rules_SecondNotAfterFirstOrZero_AreProblemsNamingTheUrgency()
    {
        var rules = EscalationRules.Default with
        {
            Urgent = new(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30)),
            Routine = new(TimeSpan.Zero, TimeSpan.FromMinutes(1)),
        };

        var problems = rules.Problems().ToList();

        Assert.Equal(2, problems.Count);
        Assert.StartsWith("Urgent:", problems[0], StringComparison.Ordinal);
        Assert.StartsWith("Routine:", problems[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RequestState.Assigned)]
    [InlineData(RequestState.Waiting)]
    public void StepAt_HeldRequest_IsZeroHoweverLongItWaited(RequestState state)
    {
        _clock.Advance(TimeSpan.FromDays(2));

        Assert.Equal(0, EscalationRules.Default.StepAt(Requests.HeldBy(Anna, state), _clock.GetUtcNow()));
    }
}
