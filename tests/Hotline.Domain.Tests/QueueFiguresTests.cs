using Hotline.Domain;
using static Hotline.Domain.Tests.People;

namespace Hotline.Domain.Tests;

public class QueueFiguresTests
{
    private static readonly DateTimeOffset Now = Requests.Now;
    private static readonly DateTimeOffset DayStart = Now.AddHours(-11);

    [Fact]
    public void FirstClaim_IsKeptThroughReleaseAndReassignment()
    {
        var claimed = new AssignCommand(Anna, Anna).Apply(Requests.New(), Requests.Earlier).Request;
        var released = new ReleaseCommand(Anna).Apply(claimed, Requests.Earlier.AddMinutes(5)).Request;
        var reclaimed = new AssignCommand(Boris, Boris).Apply(released, Now).Request;

        Assert.Equal(Requests.Earlier, claimed.FirstClaimTime);
        Assert.Equal(Requests.Earlier, reclaimed.FirstClaimTime);
        Assert.Null(Requests.New().FirstClaimTime);
    }

    [Theory]
    [InlineData(new[] { 7 }, 50, 7)]
    [InlineData(new[] { 1, 2 }, 50, 1)]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 50, 5)]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 90, 9)]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, 90, 10)]
    [InlineData(new[] { 1, 2, 3 }, 90, 3)]
    public void NearestRank_IsTheSmallestValueWithThePercentAtOrBelowIt(int[] minutes, int percent, int expected)
    {
        var sorted = minutes.Select(m => TimeSpan.FromMinutes(m)).ToList();

        Assert.Equal(TimeSpan.FromMinutes(expected), QueueFigures.NearestRank(sorted, percent));
    }

    [Fact]
    public void NearestRank_OfNothing_IsNull() => Assert.Null(QueueFigures.NearestRank([], 50));

    [Fact]
    public void From_CountsOverdueUnclaimedPerUrgency_AndDueFollowUpsPerHolder()
    {
        OpenRequestFacts[] open =
        [
            new(RequestState.New, Urgency.ImmediateDanger, Now.AddMinutes(-20), null, EscalationStep: 2),
            new(RequestState.New, Urgency.ImmediateDanger, Now.AddMinutes(-6), null, EscalationStep: 1),
            new(RequestState.New, Urgency.ImmediateDanger, Now.AddMinutes(-1), null),
            new(RequestState.New, Urgency.Routine, Now.AddMinutes(-70), null, EscalationStep: 1),
            new(RequestState.Waiting, Urgency.Urgent, Now.AddHours(-3), "anna", FollowUpDue: true),
            new(RequestState.Waiting, Urgency.Routine, Now.AddHours(-4), "anna", FollowUpDue: true),
            new(RequestState.Waiting, Urgency.Routine, Now.AddHours(-2), "anna"),
            new(RequestState.Assigned, Urgency.Routine, Now.AddHours(-1), "boris"),
        ];

        var figures = QueueFigures.From(new QueueFacts(open, DayStart, 0, 0, []), new Directory(), new HashSet<string>(), Now);

        Assert.Equal([2, 0, 1], figures.Urgencies.Select(u => u.Overdue));
        Assert.Equal(3, figures.Urgencies[0].Unclaimed);
        Assert.Equal(2, figures.Operators.Single(o => o.Account.Id == "anna").DueFollowUps);
        Assert.Equal(0, figures.Operators.Single(o => o.Account.Id == "boris").DueFollowUps);
    }

    [Fact]
    public void From_CountsPerUrgencyAndState_AndLoadsPerHolder_ConnectedOnesIncluded()
    {
        OpenRequestFacts[] open =
        [
            new(RequestState.New, Urgency.ImmediateDanger, Now.AddMinutes(-30), null),
            new(RequestState.New, Urgency.ImmediateDanger, Now.AddMinutes(-12), null),
            new(RequestState.Assigned, Urgency.ImmediateDanger, Now.AddMinutes(-50), "anna"),
            new(RequestState.Waiting, Urgency.Routine, Now.AddHours(-5), "anna"),
            new(RequestState.Assigned, Urgency.Urgent, Now.AddMinutes(-1), "gone"),
        ];
        var facts = new QueueFacts(open, DayStart, 9, 4, [TimeSpan.FromMinutes(3)]);

        var figures = QueueFigures.From(facts, new Directory(), new HashSet<string> { "boris", "webform" }, Now);

        Assert.Equal([Urgency.ImmediateDanger, Urgency.Urgent, Urgency.Routine], figures.Urgencies.Select(u => u.Urgency));
        Assert.Equal(new UrgencyLoad(Urgency.ImmediateDanger, 2, 1, 0, Now.AddMinutes(-30)), figures.Urgencies[0]);
        Assert.Equal(new UrgencyLoad(Urgency.Urgent, 0, 1, 0, null), figures.Urgencies[1]);
        Assert.Equal(new UrgencyLoad(Urgency.Routine, 0, 0, 1, null), figures.Urgencies[2]);
        // The intake integration's stream is no colleague at a console; a disabled holder still shows.
        Assert.Equal(["anna", "boris", "gone"], figures.Operators.Select(o => o.Account.Id));
        Assert.Equal((2, Now.AddHours(-5), false), (figures.Operators[0].Held, figures.Operators[0].OldestHeldSince, figures.Operators[0].Connected));
        Assert.Equal((0, (DateTimeOffset?)null, true), (figures.Operators[1].Held, figures.Operators[1].OldestHeldSince, figures.Operators[1].Connected));
        Assert.True(figures.Operators[2].Account.Disabled);
        Assert.Equal(new DayLoad(DayStart, 9, 1, 4, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(3)), figures.Today);
    }

    private sealed class Directory : IOperatorDirectory
    {
        public OperatorAccount? Find(string operatorId) => operatorId switch
        {
            "anna" => Anna,
            "boris" => Boris,
            "gone" => Gone,
            "webform" => WebForm,
            _ => null,
        };

        public IReadOnlyList<OperatorAccount> All() => [Anna, Boris, Gone, WebForm];
    }
}
