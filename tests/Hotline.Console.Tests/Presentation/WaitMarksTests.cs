using Google.Protobuf.WellKnownTypes;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Presentation;

/// <summary>Overdue and due marks, their order, the due view's filter, the bell for each, and reading follow-up times.</summary>
public sealed class WaitMarksTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 15, 40, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(RequestState.New, 0, false, "")]
    [InlineData(RequestState.New, 1, false, "!1")]
    [InlineData(RequestState.New, 2, false, "!2")]
    [InlineData(RequestState.Assigned, 2, false, "")]
    [InlineData(RequestState.Waiting, 0, true, "F!")]
    [InlineData(RequestState.Closed, 0, true, "")]
    public void Mark_ReadsWithoutColour(RequestState state, int step, bool due, string expected)
    {
        var request = Requests.Make(1, state: state).With(1, r =>
        {
            r.EscalationStep = step;
            r.FollowUp = due ? new FollowUp { Due = true, Reason = "x" } : null;
        });

        Assert.Equal(expected, WaitMarks.Of(request));
    }

    [Fact]
    public void QueueOrder_OverdueFirstWithinItsUrgency_NeverAboveAMoreUrgentOne()
    {
        var rows = QueueRows.Select(
        [
            Requests.Make(1),
            Requests.Make(2).With(2, r => r.EscalationStep = 1),
            Requests.Make(3).With(3, r => r.EscalationStep = 2),
            Requests.Make(4, Urgency.Urgent),
        ], QueueFilter.Default, "operators/anna", Now);

        Assert.Equal([4L, 3L, 2L, 1L], rows.Select(r => r.Number));
    }

    [Fact]
    public void DueView_OwnForOperators_AllForSupervisors()
    {
        HelpRequest Due(long number, string holder) => Requests.Make(number, state: RequestState.Waiting, assignee: holder)
            .With(number, r => r.FollowUp = new FollowUp { Due = true, Reason = "x" });
        HelpRequest[] all = [Due(1, "operators/anna"), Due(2, "operators/timur"), Requests.Make(3, state: RequestState.Waiting, assignee: "operators/anna")];

        var mine = QueueRows.Select(all, new QueueFilter(QueueScope.Due), "operators/anna", Now);
        var everyone = QueueRows.Select(all, new QueueFilter(QueueScope.Due) { SeesAllDue = true }, "operators/lena", Now);

        Assert.Equal([1L], mine.Select(r => r.Number));
        Assert.Equal([1L, 2L], everyone.Select(r => r.Number));
    }

    private static QueueDelta Escalated(params HelpRequest[] requests) =>
        new(requests.Select(r => r.Name).ToHashSet(StringComparer.Ordinal), [], Reloaded: false, ConnectionChanged: false) { Escalated = requests };

    [Fact]
    public void Bell_StepTwo_IsABannerForSupervisorsAndAnAlertForOperators()
    {
        var overdue = Requests.Make(7, Urgency.ImmediateDanger).With(7, r => r.EscalationStep = 2);

        var supervisor = BellPolicy.For(Escalated(overdue), takenFromMe: null, bellOn: true, Requests.Lena);
        var operatorAlert = BellPolicy.For(Escalated(overdue), takenFromMe: null, bellOn: true, Requests.Anna);

        Assert.Equal(new LiveAlert("SUPERVISOR: #7 IMMEDIATE DANGER still unclaimed (!2); A gives it to someone.", Danger: true, Rings: true), supervisor);
        Assert.Equal(new LiveAlert("Overdue !2: #7 IMMEDIATE DANGER still unclaimed; a claims it.", Danger: true, Rings: true), operatorAlert);
    }

    [Fact]
    public void Bell_StepOneOfARequestClaimedMeanwhile_IsNotTold()
    {
        var claimed = Requests.Make(7, state: RequestState.Assigned, assignee: "operators/anna").With(7, r => r.EscalationStep = 1);

        Assert.Null(BellPolicy.For(Escalated(claimed), takenFromMe: null, bellOn: true, Requests.Anna));
    }

    [Fact]
    public void Bell_DueFollowUp_OnlyForItsHolderOrASupervisor()
    {
        var due = Requests.Make(8, state: RequestState.Waiting, assignee: "operators/timur").With(8, r => r.FollowUp = new FollowUp { Due = true, Reason = "call" });
        var delta = new QueueDelta(new HashSet<string>(StringComparer.Ordinal) { due.Name }, [], false, false) { FollowUpsDue = [due] };

        Assert.Null(BellPolicy.For(delta, takenFromMe: null, bellOn: true, Requests.Anna));
        Assert.NotNull(BellPolicy.For(delta, takenFromMe: null, bellOn: true, Requests.Timur));
        Assert.NotNull(BellPolicy.For(delta, takenFromMe: null, bellOn: true, Requests.Lena));
    }

    [Theory]
    [InlineData("18:00", "2026-12-02T18:00:00+00:00")]
    [InlineData("09:30", "2026-12-03T09:30:00+00:00")]
    [InlineData("tomorrow", "2026-12-03T09:00:00+00:00")]
    [InlineData("tomorrow 7:15", "2026-12-03T07:15:00+00:00")]
    [InlineData("in 3 days", "2026-12-05T15:40:00+00:00")]
    [InlineData("2h", "2026-12-02T17:40:00+00:00")]
    [InlineData("in 30 min", "2026-12-02T16:10:00+00:00")]
    [InlineData("1w", "2026-12-09T15:40:00+00:00")]
    [InlineData("2026-12-24 10:00", "2026-12-24T10:00:00+00:00")]
    public void FollowUpTime_ReadsWhatOperatorsType(string typed, string expected)
    {
        var parsed = FollowUpTime.Parse(typed, Now, TimeZoneInfo.Utc, out var problem);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed);
        Assert.Empty(problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("someday")]
    [InlineData("25:00")]
    public void FollowUpTime_Unreadable_SaysWhatToType(string typed)
    {
        Assert.Null(FollowUpTime.Parse(typed, Now, TimeZoneInfo.Utc, out var problem));
        Assert.NotEmpty(problem);
    }
}
