using Google.Protobuf.WellKnownTypes;
using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;
using Terminal.Gui.Input;

namespace Hotline.Console.Tests.Views;

/// <summary>Overdue marks, the bell per escalation step, the supervisor banner, the follow-up dialog and the due view, at 80x24 without colour.</summary>
[Collection(HeadlessCollection.Name)]
public sealed class EscalationScreenTests
{
    private static HelpRequest[] Queue() =>
    [
        Requests.Make(1),
        Requests.Make(3, Urgency.Urgent),
        Requests.Make(4).With(4, r =>
        {
            r.EscalationStep = 1;
            r.WaitingSince = r.CreateTime;
        }),
        Requests.Make(5, state: RequestState.Assigned, assignee: "operators/anna"),
    ];

    private static ConsoleHarness Mono(params HelpRequest[] requests) => new(requests, colors: ColorMode.Monochrome);

    [Fact]
    public void OverdueRow_IsMarkedInTextAndSortsFirstWithinItsUrgency()
    {
        using var console = Mono(Queue());

        console.Select(4);
        var lines = console.Lines;

        Assert.Equal(24, lines.Count(l => l.Length == 80));
        Assert.Equal([3L, 4L, 1L, 5L], console.Window.VisibleRows.Select(r => r.Number));
        Assert.Matches(@"^\s+4 26m\s+tg\s+!1 new\s", lines[4]);
        Assert.Contains("Overdue !1: unclaimed since", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void EachEscalationStep_RingsOnce_AndARepeatedChangeDoesNot()
    {
        using var console = Mono(Queue());
        var routine = Requests.Make(1);

        console.Feed(Requests.Change(101, ChangeKind.Escalated, routine.With(101, r => r.EscalationStep = 1)));
        console.Feed(Requests.Change(101, ChangeKind.Escalated, routine.With(101, r => r.EscalationStep = 1)));
        Assert.Equal(1, console.Bells);
        Assert.Contains("Overdue !1: #1 routine waits unclaimed", console.Screen, StringComparison.Ordinal);

        console.Feed(Requests.Change(102, ChangeKind.Escalated, routine.With(102, r => r.EscalationStep = 2)));
        Assert.Equal(2, console.Bells);
        Assert.Contains("Overdue !2: #1 routine still unclaimed; a claims it.", console.Screen, StringComparison.Ordinal);
        Assert.Contains("!2 new", console.Screen, StringComparison.Ordinal);
        Assert.Equal(1L, console.Window.VisibleRows[1].Number);
    }

    [Fact]
    public void StepTwo_ShowsSupervisorsABanner()
    {
        using var console = Mono(Queue());
        console.Feed(new IdentityKnown(Requests.Lena, console.Client.People));

        console.Feed(Requests.Change(101, ChangeKind.Escalated, Requests.Make(4).With(101, r => r.EscalationStep = 2)));

        Assert.Contains("SUPERVISOR: #4 routine still unclaimed (!2); A gives it to someone.", console.Screen, StringComparison.Ordinal);
        Assert.Equal(1, console.Bells);
    }

    [Fact]
    public void FollowUpKey_DialogFitsAndSetsTheFollowUp()
    {
        using var console = Mono(Queue());
        console.Select(5);

        var dialog = console.WithDialog<FollowUpDialog>(new Key('F'), d =>
        {
            console.Type("in 2 days");
            console.Press(Key.Tab);
            console.Type("после суда");
            console.Press(Key.Enter);
        });

        Assert.Equal(24, dialog.Split('\n').Count(l => l.Length == 80));
        Assert.Contains("Follow up #5 later", dialog, StringComparison.Ordinal);
        Assert.Contains("in 3 days", dialog, StringComparison.Ordinal);
        var due = console.Time.GetUtcNow().AddDays(2);
        Assert.Equal([$"follow up requests/r5 at {due:O} 'после суда' etag e5"], console.Client.Calls);
        Assert.Contains("#5 waits; follow up", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void FollowUpKey_UnreadableTime_IsRefusedAndSendsNothing()
    {
        using var console = Mono(Queue());
        console.Select(5);

        console.WithDialog<FollowUpDialog>(new Key('F'), d =>
        {
            console.Type("someday");
            console.Press(Key.Tab);
            console.Type("check");
            console.Press(Key.Enter);
        });

        Assert.Empty(console.Client.Calls);
        Assert.Contains("#5: Not a time I can read.", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void DueView_ShowsAnOperatorTheirOwn_AndSupervisorsEveryone()
    {
        var mine = Requests.Make(5, state: RequestState.Waiting, assignee: "operators/anna")
            .With(5, r => r.FollowUp = new FollowUp { Due = true, Reason = "call back", SetBy = "operators/anna", DueTime = Timestamp.FromDateTimeOffset(Requests.T0) });
        var theirs = Requests.Make(6, state: RequestState.Waiting, assignee: "operators/timur")
            .With(6, r => r.FollowUp = new FollowUp { Due = true, Reason = "check", SetBy = "operators/timur", DueTime = Timestamp.FromDateTimeOffset(Requests.T0) });
        using var console = Mono([Requests.Make(1), mine, theirs]);

        console.Press('5');
        Assert.Equal([5L], console.Window.VisibleRows.Select(r => r.Number));
        Assert.StartsWith("View: my follow-ups due", console.Lines[0], StringComparison.Ordinal);
        Assert.Contains("F! wait", console.Screen, StringComparison.Ordinal);
        Assert.Contains("Follow-up DUE (F!)", console.Screen, StringComparison.Ordinal);

        console.Feed(new IdentityKnown(Requests.Lena, console.Client.People));
        console.Press('1');
        console.Press('5');
        Assert.Equal([5L, 6L], console.Window.VisibleRows.Select(r => r.Number));
        Assert.Equal(24, console.Lines.Count(l => l.Length == 80));
    }

    [Fact]
    public void FollowUpFallingDue_RingsForItsHolder()
    {
        var waiting = Requests.Make(5, state: RequestState.Waiting, assignee: "operators/anna");
        using var console = Mono(Requests.Make(1), waiting);

        console.Feed(Requests.Change(101, ChangeKind.FollowUpDue, waiting.With(101, r =>
            r.FollowUp = new FollowUp { Due = true, Reason = "перезвонить", SetBy = "operators/anna", DueTime = Timestamp.FromDateTimeOffset(Requests.T0) })));

        Assert.Equal(1, console.Bells);
        Assert.Contains("Follow-up due (F!): #5: перезвонить", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void HandOverNote_IsTheFirstThingInTheDetailPane()
    {
        var handed = Requests.Make(5, state: RequestState.Assigned, assignee: "operators/anna").With(5, r =>
        {
            r.Notes.Add(new Note { Id = "1", Author = "operators/timur", Text = "Звонить только после 20:00" });
            r.HandOver = new HandOver { From = "operators/timur", To = "operators/anna", NoteId = "1" };
        });
        using var console = Mono(handed);
        console.Select(5);

        var detail = console.Lines.SkipWhile(l => !l.Contains("Handed over", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(detail);
        Assert.Contains(">> Handed over by Timur B. (timur): Звонить только после 20:00", detail[0], StringComparison.Ordinal);
        Assert.Contains("#5 · routine", detail[1], StringComparison.Ordinal);
    }

    [Fact]
    public void GiveDialog_CarriesAHandOverNote()
    {
        using var console = Mono(Queue());
        console.Select(5);

        var dialog = console.WithDialog<AssignDialog>(new Key('A'), d =>
        {
            // Nobody is connected, so the list is by name: Anna K., Lena S., Timur B.
            d.People.SelectedItem = 2;
            d.HandOverNote.SetFocus();
            console.Type("She expects a call");
            console.Press(Key.Enter);
        });

        Assert.Contains("Note for them", dialog, StringComparison.Ordinal);
        Assert.Equal(["assign requests/r5 to 'operators/timur' note 'She expects a call'"], console.Client.Calls);
    }
}
