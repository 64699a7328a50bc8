using Hotline.Console.State;
using Hotline.Contract.V1;
using Terminal.Gui.Drawing;
using Terminal.Gui.Input;

namespace Hotline.Console.Tests.Views;

[Collection(HeadlessCollection.Name)]
public sealed class QueueScreenTests
{
    private static HelpRequest[] Queue() =>
    [
        Requests.Make(1, message: Requests.Russian, language: "ru"),
        Requests.Make(2, Urgency.ImmediateDanger, Requests.Chechen, channel: Channel.Whatsapp, language: "ce"),
        Requests.Make(3, Urgency.Urgent, state: RequestState.Assigned, assignee: "operators/timur"),
    ];

    [Fact]
    public void At80x24_EveryPartFitsAndDangerComesFirst()
    {
        using var console = new ConsoleHarness(Queue());

        var lines = console.Lines;

        Assert.Equal(24, lines.Count(l => l.Length == 80));
        Assert.StartsWith("View: all open", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("/ find f filter 1-5 view", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^\s+#\s+Age\s+Urg\s+Via\s+State\s+Who\s+Lang\s+Message", lines[1]);
        Assert.Matches(@"^\s+2 28m\s+DANGER wa\s+new\s+ce\s+ГӀо де, дехар до!", lines[3]);
        Assert.Matches(@"^\s+3 27m\s+urgent tg\s+held\s+timur\s+en", lines[4]);
        Assert.Matches(@"^\s+1 29m\s+tg\s+new\s+ru\s+Мужа задержали на блокпосту", lines[5]);
        Assert.Contains("#2 · IMMEDIATE DANGER · WhatsApp · new, nobody holds it", console.Screen, StringComparison.Ordinal);
        Assert.StartsWith("a claim A give r release n note u urgency c close o reopen ? help q quit", lines[22], StringComparison.Ordinal);
        Assert.StartsWith("anna │ connected │ rev 100 │ 3 shown, 3 open │ bell on │ F12 panic", lines[23], StringComparison.Ordinal);
    }

    [Fact]
    public void DangerRows_AreWhiteOnRedAndUrgentRowsYellow()
    {
        using var console = new ConsoleHarness(Queue());
        console.Press(Key.CursorDown);
        console.Press(Key.CursorDown);

        var danger = console.AttributeAt("DANGER");
        var urgent = console.AttributeAt("urgent");

        Assert.Equal(new Color(ColorName16.Red), danger.Background);
        Assert.Equal(new Color(ColorName16.White), danger.Foreground);
        Assert.Equal(new Color(ColorName16.BrightYellow), urgent.Foreground);
    }

    [Fact]
    public void Monochrome_MarksDangerByReverseVideoWithoutColour()
    {
        using var console = new ConsoleHarness(Queue(), colors: ColorMode.Monochrome);
        console.Press(Key.CursorDown);

        var danger = console.AttributeAt("DANGER");
        var routine = console.AttributeAt("Мужа");

        Assert.Equal(Color.None, danger.Foreground);
        Assert.Equal(Color.None, danger.Background);
        Assert.True(danger.Style.HasFlag(TextStyle.Reverse));
        Assert.False(routine.Style.HasFlag(TextStyle.Reverse));
    }

    [Fact]
    public void NewRequestFromTheStream_AppearsWithoutAKeyAndRingsTheBellWhenUrgent()
    {
        using var console = new ConsoleHarness(Queue());

        console.Feed(Requests.Change(101, ChangeKind.Created, Requests.Make(4, Urgency.ImmediateDanger, "Срочно: за домом следят", language: "ru",
            revision: 101, created: Requests.T0.AddMinutes(29))));

        var screen = console.Screen;
        Assert.Contains("Срочно: за домом следят", screen, StringComparison.Ordinal);
        Assert.Contains("New IMMEDIATE DANGER request #4 (Telegram); ! jumps to the newest danger.", screen, StringComparison.Ordinal);
        Assert.Contains("rev 101 │ 4 shown, 4 open", screen, StringComparison.Ordinal);
        Assert.Equal(1, console.Bells);
        Assert.Equal("requests/r2", console.Window.Selected!.Name);

        console.Press('b');
        console.Feed(Requests.Change(102, ChangeKind.Created, Requests.Make(5, Urgency.Urgent, revision: 102)));
        console.Feed(Requests.Change(103, ChangeKind.Created, Requests.Make(6, revision: 103)));
        Assert.Equal(1, console.Bells);
        Assert.Contains("bell off", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void Age_TicksWithTime()
    {
        using var console = new ConsoleHarness(Queue());
        Assert.Contains("28m", console.Screen, StringComparison.Ordinal);

        console.Time.Advance(TimeSpan.FromMinutes(95));
        console.Window.Tick();

        Assert.Matches(@"2 2h03\s+DANGER", console.Screen);
    }

    [Fact]
    public void Enter_OpensTheRequestAndItsNotesFollowAColleagueLive()
    {
        using var console = new ConsoleHarness(Queue());
        console.Press(Key.Enter);

        var noted = Requests.Make(2, Urgency.ImmediateDanger, Requests.Chechen, channel: Channel.Whatsapp, language: "ce")
            .With(101, r => r.Notes.Add(new Note { Author = "operators/timur", Text = "Связался с адвокатом, едет в отдел" }));
        console.Feed(Requests.Change(101, ChangeKind.NoteAdded, noted));

        var screen = console.Screen;
        Assert.DoesNotContain("Age", screen, StringComparison.Ordinal);
        Assert.Contains("Contact: @person2", screen, StringComparison.Ordinal);
        Assert.Contains("Notes (1):", screen, StringComparison.Ordinal);
        Assert.Contains("Timur B. (timur): Связался с адвокатом, едет в отдел", screen, StringComparison.Ordinal);

        console.Press(Key.Esc);
        Assert.Contains("Age", console.Screen, StringComparison.Ordinal);
        Assert.True(console.Window.IsRunning);
    }

    [Fact]
    public void LinkDown_MarksTheScreenStaleAndCountsDownThenSaysOffline()
    {
        using var console = new ConsoleHarness(Queue());
        var now = console.Time.GetUtcNow();

        console.Feed(new ConnectionChanged(new ConnectionStatus(LinkState.Retrying, now, now.AddSeconds(4), "server unreachable")));
        var lines = console.Lines;
        Assert.StartsWith("OFFLINE since 12:30:00 — queue may be out of date · F5: retry now", lines[21], StringComparison.Ordinal);
        Assert.StartsWith("a claim A give r release", lines[22], StringComparison.Ordinal);
        Assert.StartsWith("anna │ reconnecting in 4 s │ rev 100 │ 3 shown, 3 open │ bell on │ F12 panic", lines[23], StringComparison.Ordinal);
        Assert.Contains("Мужа задержали", console.Screen, StringComparison.Ordinal);
        Assert.Equal(new Color(ColorName16.Yellow), console.AttributeAt("OFFLINE").Background);

        var retries = 0;
        console.Window.OnRetryNow = () => retries++;
        console.Press(Key.F5);
        Assert.Equal(1, retries);

        console.Time.Advance(TimeSpan.FromSeconds(40));
        console.Window.Tick();
        console.Feed(new ConnectionChanged(new ConnectionStatus(LinkState.Retrying, now, now.AddSeconds(48), "server unreachable")));
        Assert.Contains("reconnecting in 8 s", console.Lines[23], StringComparison.Ordinal);
        Assert.StartsWith("OFFLINE since 12:30:00", console.Lines[21], StringComparison.Ordinal);

        console.Feed(new ConnectionChanged(ConnectionStatus.Connected), Requests.Progress(120));
        Assert.Contains("anna │ connected │ rev 120", console.Screen, StringComparison.Ordinal);
        Assert.DoesNotContain("OFFLINE", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenRevoked_SaysSignedOutAndWhatToDo_AndRetryKeyDoesNotPretend()
    {
        using var console = new ConsoleHarness(Queue());
        var retries = 0;
        console.Window.OnRetryNow = () => retries++;

        console.Feed(new ConnectionChanged(ConnectionStatus.SignedOutFor(SignOutReason.TokenRevoked, console.Time.GetUtcNow())));
        console.Press(Key.F5);

        var flat = console.Flat;
        Assert.Contains("SIGNED OUT: this token was revoked", flat, StringComparison.Ordinal);
        Assert.Contains("Ask an admin for a new token", flat, StringComparison.Ordinal);
        Assert.Contains("Signed out: a new token and a restart are needed", flat, StringComparison.Ordinal);
        Assert.Equal(0, retries);
    }

    [Fact]
    public void ScopeKeysAndSearch_FilterTheTable()
    {
        using var console = new ConsoleHarness(Queue());

        console.Press('3');
        Assert.Equal([2L, 1L], console.Window.VisibleRows.Select(r => r.Number));
        Assert.StartsWith("View: unassigned", console.Lines[0], StringComparison.Ordinal);

        console.Press('1');
        console.Press('/');
        console.Type("мужа");
        Assert.Equal([1L], console.Window.VisibleRows.Select(r => r.Number));
        Assert.StartsWith("Search: мужа", console.Lines[0], StringComparison.Ordinal);

        console.Press(Key.Enter);
        console.Press('a');
        Assert.Contains("assign requests/r1 to ''", console.Client.Calls);

        console.Press(Key.Esc);
        Assert.Equal(3, console.Window.VisibleRows.Count);
    }

    [Fact]
    public void Esc_DoesNotQuitButQWithoutANoteDoes()
    {
        using var console = new ConsoleHarness(Queue());

        console.Press(Key.Esc);
        Assert.True(console.Window.IsRunning);

        console.Press('q');
        Assert.True(console.Window.StopRequested);
    }

    [Fact]
    public void ActionKeys_WorkWhateverPaneHasFocus()
    {
        using var console = new ConsoleHarness([]);
        console.Press(Key.Tab);
        console.Press(Key.Tab);

        console.Press('q');

        Assert.True(console.Window.StopRequested);
    }

    [Fact]
    public void PanicKey_BlanksTheScreenAndStopsAtOnce()
    {
        using var console = new ConsoleHarness(Queue());
        var panicked = false;
        console.Window.OnPanic = () => panicked = true;

        console.Press(Key.F12);

        Assert.True(panicked);
        Assert.True(console.Window.StopRequested);
        var screen = console.Screen;
        Assert.DoesNotContain("Мужа", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("@person", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("anna", screen, StringComparison.Ordinal);
    }

    [Fact]
    public void WiderTerminal_UsesTheSpaceForTheMessage()
    {
        using var console = new ConsoleHarness(Queue(), width: 120, height: 40);

        Assert.Contains("Мужа задержали на блокпосту, телефон выключен.", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void Monochrome_HintLineOffersTheRequestKeysOnlyWhileARequestIsSelected()
    {
        using var console = new ConsoleHarness(Queue(), colors: ColorMode.Monochrome);

        Assert.StartsWith("a claim A give r release n note u urgency c close o reopen ? help q quit", console.Lines[22], StringComparison.Ordinal);
        console.Press('4');

        var lines = console.Lines;
        Assert.Empty(console.Window.VisibleRows);
        Assert.Equal(24, lines.Count(l => l.Length == 80));
        Assert.Equal("? help q quit", lines[22].TrimEnd());
        console.Press('a');
        Assert.Contains("Select a request first.", console.Screen, StringComparison.Ordinal);
    }
}
