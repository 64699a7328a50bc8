using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;
using Terminal.Gui.Input;

namespace Hotline.Console.Tests.Views;

/// <summary>
/// What an operator under stress runs into within minutes: quitting with a draft, a colleague's
/// request taken silently, a notice that hides the outcome of their own action, the keys their
/// hands already know, a queue that does not fit at 80x24.
/// </summary>
[Collection(HeadlessCollection.Name)]
public sealed class OperatorUnderStressTests
{
    private static HelpRequest[] Queue() =>
    [
        Requests.Make(1, message: Requests.Russian, language: "ru"),
        Requests.Make(2, Urgency.ImmediateDanger, Requests.Chechen, channel: Channel.Whatsapp, language: "ce"),
        Requests.Make(3, Urgency.Urgent, state: RequestState.Assigned, assignee: "operators/timur"),
    ];

    /// <summary>Forty requests: more than the queue shows at 80x24, oldest first, danger among them.</summary>
    private static HelpRequest[] LongQueue() =>
    [
        .. Enumerable.Range(1, 40).Select(n => Requests.Make(n, n % 10 == 0 ? Urgency.ImmediateDanger : Urgency.Routine,
            $"Request number {n}", state: n % 3 == 0 ? RequestState.Assigned : RequestState.New,
            assignee: n % 3 == 0 ? "operators/timur" : "", created: Requests.T0.AddMinutes(-n))),
    ];

    private static ConsoleHarness AsSupervisor(HelpRequest[] queue)
    {
        var console = new ConsoleHarness(queue);
        console.Client.Me = Requests.Lena;
        console.Feed(new IdentityKnown(Requests.Lena, console.Client.People));
        return console;
    }

    private static void WriteDraft(ConsoleHarness console, long number, string text)
    {
        console.Select(number);
        console.WithDialog<NoteDialog>(new Key('n'), d =>
        {
            console.Type(text);
            console.Press(Key.Esc);
        });
    }

    [Fact]
    public void SupervisorClaimOfAColleaguesRequest_AsksFirstNamingTheHolder()
    {
        using var console = AsSupervisor(Queue());
        console.Select(3);

        var question = console.WithDialog<ConfirmDialog>(new Key('a'), d => console.Press(Key.Esc));
        Assert.Contains("#3 is held by Timur B.", ConsoleHarness.Inside(question), StringComparison.Ordinal);
        Assert.Empty(console.Client.Calls);

        console.WithDialog<ConfirmDialog>(new Key('a'), d => console.Press(Key.T.WithAlt));
        Assert.Equal(["assign requests/r3 to ''"], console.Client.Calls);
        Assert.Contains("#3 is yours now.", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void ReleaseOfAColleaguesRequest_AsksFirstNamingTheHolder()
    {
        using var console = AsSupervisor(Queue());
        console.Select(3);

        var question = console.WithDialog<ConfirmDialog>(new Key('r'), d => console.Press(Key.R.WithAlt));

        Assert.Contains("#3 is held by Timur B.", ConsoleHarness.Inside(question), StringComparison.Ordinal);
        Assert.Equal(["release requests/r3 etag e3"], console.Client.Calls);
    }

    [Fact]
    public void ClaimOfAnUnheldRequest_DoesNotAsk()
    {
        using var console = AsSupervisor(Queue());
        console.Select(1);

        console.Press('a');

        Assert.Same(console.Window, console.App.TopRunnable);
        Assert.Equal(["assign requests/r1 to ''"], console.Client.Calls);
    }

    [Fact]
    public void RequestTakenByAColleague_TellsTheHolderAtOnceAndKeepsTheDraft()
    {
        var mine = Requests.Make(2, Urgency.ImmediateDanger, Requests.Chechen, state: RequestState.Assigned, assignee: "operators/anna");
        using var console = new ConsoleHarness([Requests.Make(1), mine]);
        WriteDraft(console, 2, "звонила сестре");
        var bells = console.Bells;

        var taken = mine.Clone();
        taken.Assignee = "operators/lena";
        taken.Revision = 101;
        taken.Etag = "e101";
        console.Feed(Requests.Change(101, ChangeKind.Assigned, taken));

        Assert.True(console.Screen.Contains("#2 was taken over: Lena S.", StringComparison.Ordinal), console.Screen);
        Assert.Contains("Your draft note is kept (n).", console.Screen, StringComparison.Ordinal);
        Assert.Equal(bells + 1, console.Bells);
        Assert.Equal("звонила сестре", console.Drafts.Find("requests/r2")!.Text);
    }

    [Fact]
    public void OwnRelease_IsNotReportedAsATakeover()
    {
        using var console = new ConsoleHarness([Requests.Make(2, state: RequestState.Assigned, assignee: "operators/anna")]);
        console.Select(2);

        console.Press('r');
        var released = Requests.Make(2, revision: 101);
        console.Feed(Requests.Change(101, ChangeKind.Released, released));

        Assert.Contains("#2 is back in the queue.", console.Screen, StringComparison.Ordinal);
        Assert.DoesNotContain("someone else", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void QuitWithADraft_SecondQQuits()
    {
        using var console = new ConsoleHarness(Queue());
        WriteDraft(console, 2, "черновик");

        var question = console.WithDialog<ConfirmDialog>(new Key('q'), d => console.Press('q'));

        Assert.Contains("Unsaved draft note on #2.", ConsoleHarness.Inside(question), StringComparison.Ordinal);
        Assert.True(console.Window.StopRequested);
    }

    [Fact]
    public void QuitWithADraft_TheQuitButtonQuits()
    {
        using var console = new ConsoleHarness(Queue());
        WriteDraft(console, 2, "черновик");

        console.WithDialog<ConfirmDialog>(new Key('q'), d => console.Press(Key.Q.WithAlt));

        Assert.True(console.Window.StopRequested);
    }

    [Theory]
    [InlineData('C')]
    [InlineData('Q')]
    public void CtrlCOrCtrlQ_QuitsWithoutADraft(char letter)
    {
        using var console = new ConsoleHarness(Queue());

        console.Press(new Key(char.ToLowerInvariant(letter)).WithCtrl);

        Assert.True(console.Window.StopRequested);
    }

    [Fact]
    public void OwnResult_StaysUntilTheNextActionWhileAlertsComeAndGo_AndHintsStay()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(1);
        console.Press('a');

        console.Feed(Requests.Change(101, ChangeKind.Created, Requests.Make(4, Urgency.ImmediateDanger, revision: 101)));
        var lines = console.Lines;
        Assert.StartsWith("New IMMEDIATE DANGER request #4 (Telegram)", lines[20], StringComparison.Ordinal);
        Assert.StartsWith("#1 is yours now.", lines[21], StringComparison.Ordinal);
        Assert.StartsWith("a claim A give r release", lines[22], StringComparison.Ordinal);

        console.Time.Advance(TimeSpan.FromSeconds(31));
        console.Window.Tick();
        console.Press('j');
        Assert.DoesNotContain("New IMMEDIATE DANGER request", console.Screen, StringComparison.Ordinal);
        Assert.StartsWith("#1 is yours now.", console.Lines[21], StringComparison.Ordinal);

        console.Press('b');
        Assert.DoesNotContain("#1 is yours now.", console.Screen, StringComparison.Ordinal);
        Assert.Contains("Bell off.", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusalOfAClosedRequest_NamesTheRequestToReopen()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(1);
        console.Client.RefuseNext = RpcErrors.Refusal(Grpc.Core.StatusCode.FailedPrecondition, "REQUEST_CLOSED");

        console.Press('a');

        Assert.Contains("select #1 and press o", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void VimAndLessKeys_MoveTheSelection()
    {
        using var console = new ConsoleHarness(LongQueue());
        var rows = console.Window.VisibleRows;
        console.Window.Table.SetSelection(0, 0, false);

        console.Press('j');
        Assert.Same(rows[1], console.Window.Selected);
        console.Press('k');
        Assert.Same(rows[0], console.Window.Selected);
        console.Press('G');
        Assert.Same(rows[^1], console.Window.Selected);
        Assert.Contains($" {rows[^1].Number} ", console.Screen, StringComparison.Ordinal);
        console.Press('g');
        Assert.Same(rows[0], console.Window.Selected);
        console.Press(Key.D.WithCtrl);
        var halfPage = rows.ToList().IndexOf(console.Window.Selected!);
        Assert.InRange(halfPage, 2, 10);
        console.Press(Key.U.WithCtrl);
        Assert.Same(rows[0], console.Window.Selected);
    }

    [Fact]
    public void Bang_JumpsToTheNewestDanger_AndW_ToTheOldestUnheld()
    {
        using var console = new ConsoleHarness(LongQueue());

        console.Press('!');
        // Request 10 is the newest of the dangers (10, 20, 30, 40 were created 10, 20, 30, 40 minutes before T0).
        Assert.Equal(10, console.Window.Selected!.Number);

        console.Press('w');
        // 40 is the oldest request, and nobody holds it (Timur holds every third).
        Assert.Equal(40, console.Window.Selected!.Number);
    }

    [Fact]
    public void D_ShrinksThenHidesTheDetailPane_GivingItsRowsToTheQueue()
    {
        using var console = new ConsoleHarness(LongQueue());
        int RowsShown() => console.Lines.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+\d+ \d+[smh]"));
        var half = RowsShown();

        console.Press('d');
        var small = RowsShown();
        console.Press('d');
        var hidden = RowsShown();
        console.Press('d');

        Assert.True(half < small && small < hidden, $"{half} < {small} < {hidden}");
        Assert.Equal(24 - 1 - 2 - 2, hidden);
        Assert.Equal(half, RowsShown());
    }

    [Fact]
    public void LongMessage_EndsWithAnEllipsisWhereItIsCut()
    {
        using var console = new ConsoleHarness([Requests.Make(1, message: "Нас задержали на выезде из города, паспорта забрали, ждём решения начальника смены")]);

        var row = console.Lines.Single(l => l.StartsWith("   1 ", StringComparison.Ordinal));

        Assert.EndsWith("…", row.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void AfterAResize_TheSelectedRowStaysInView()
    {
        using var console = new ConsoleHarness(LongQueue(), height: 50);
        var last = console.Window.VisibleRows[^1];
        console.Select(last.Number);

        console.App.Driver!.SetScreenSize(80, 24);
        console.App.LayoutAndDraw();

        Assert.Matches($@"(?m)^\s+{last.Number} ", console.Screen);
    }
}
