using Hotline.Console.Views;
using Hotline.Contract.V1;
using Terminal.Gui.Drawing;
using Terminal.Gui.Drivers;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;
using Xunit.Abstractions;
using Attribute = Terminal.Gui.Drawing.Attribute;
using Rectangle = System.Drawing.Rectangle;

namespace Hotline.Console.Tests.Views;

/// <summary>
/// Every action dialog as the operator meets it on an 80x24 terminal, in colour and with
/// NO_COLOR: each label, list entry and current value can be read, nothing is cut off by the
/// button row, the focused text field shows its cursor, no colour leaks into a monochrome
/// dialog or its shadow, and no two controls answer the same hotkey.
/// </summary>
[Collection(HeadlessCollection.Name)]
public sealed class DialogScreenTests(ITestOutputHelper output)
{
    /// <summary>
    /// How to reach one dialog: <c>Prepare</c> sets the console up (selection, a draft, a filter),
    /// <c>Key</c> opens the dialog, <c>Drive</c> acts inside it before the screen is read, and
    /// <c>Visible</c> is what must then be readable inside the dialog's frame, <c>Chosen</c> the list
    /// entries that must stand out as the current choice.
    /// </summary>
    private sealed record DialogCase(Action<ConsoleHarness> Prepare, char Key, Action<ConsoleHarness> Drive, bool HasTextField,
        string[] Visible, string[] Chosen);

    private const string Tag = "задержание";
    private const string CloseComment = "Передано юристам, перезвонят завтра";
    private const string ReopenReason = "Перезвонили снова: муж не вернулся";
    private const string Draft = "Позвонила, Ӏаьржа: адвокат едет";

    private static readonly Dictionary<string, DialogCase> Cases = new()
    {
        ["triage"] = new(c => c.Select(1), 'u', c => c.Press(Key.T.WithAlt), HasTextField: true,
            ["Urgency and tags of #1", "Urgency", "routine", "urgent", "IMMEDIATE DANGER", "Tags (space or comma separated):",
                $"detention {Tag}", "Cancel", "Save"], ["urgent"]),
        ["close"] = new(c => c.Select(2), 'c', c =>
        {
            c.Press(Key.End);
            c.Press(Key.M.WithAlt);
            c.Type(CloseComment);
        }, HasTextField: true,
            ["Close #2", "Resolution", "evacuated", "referred", "legal aid", "information given", "no contact", "duplicate", "spam", "other",
                "Comment", CloseComment, "Cancel", "Close it"], ["other"]),
        ["reopen"] = new(c => c.Press('4'), 'o', c => c.Type(ReopenReason), HasTextField: true,
            ["Reopen #3", "Why (optional):", ReopenReason, "Cancel", "Reopen"], []),
        ["filter"] = new(c => c.WithDialog<FilterDialog>(new Key('f'), d =>
        {
            d.Urgency.SelectedItem = 2;
            d.Channel.SelectedItem = 5;
            d.Language.SetFocus();
            c.Type("ce");
            c.Press(Key.Enter);
        }), 'f', c => c.Press(Key.L.WithAlt), HasTextField: true,
            ["Filter", "Urgency", "Channel", "any", "routine", "urgent", "IMMEDIATE DANGER", "phone", "SMS", "Telegram", "Signal", "WhatsApp",
                "email", "web form", "in person", "other", "Language (ru, ce, en…; empty = any):", "ce", "Cancel", "Clear", "Apply"],
            ["urgent", "WhatsApp"]),
        ["confirm"] = new(c => KeepDraft(c, 1), 'q', _ => { }, HasTextField: false,
            ["Quit", "Unsaved draft note on #1.", "Quit and lose it? (q again quits)", "No"], []),
        ["note"] = new(c => KeepDraft(c, 2), 'n', _ => { }, HasTextField: true,
            ["Note on #2", "F2 saves · Esc keeps it as a draft · Enter adds a line", Draft, "Cancel", "Save"], []),
        ["takeover"] = new(TimurHoldsTwoAndLenaLooks, 'a', _ => { }, HasTextField: false,
            ["Take over", "#2 is held by Timur B.", "Take it from them? They are told at once.", "Take it", "No"], []),
        ["assign"] = new(c => c.Select(1), 'A', _ => { }, HasTextField: false,
            ["Assign #1 to…", "Anna K. (anna)", "Lena S. (lena)", "Timur B. (timur)", "Cancel", "Assign"], ["Anna K. (anna)"]),
        ["help"] = new(_ => { }, '?', _ => { }, HasTextField: false,
            ["Keys", "a     claim: assign it to me", "F12   panic: clear, sign out, exit", "OFFLINE over the hints", "OK"], []),
        ["related"] = new(c =>
        {
            c.Client.Related["requests/r2"] = [c.Client.Stored["requests/r1"]];
            c.Select(2);
        }, 'e', _ => { }, HasTextField: false, ["Same requester as #2"], []),
        ["audit"] = new(c =>
        {
            c.Feed(new Hotline.Console.State.IdentityKnown(Requests.Lena, c.Client.People));
            c.Client.Audit["requests/r1"] = [Requests.Audit(11, AuditAction.Submitted, "operators/web-form", Requests.T0, "requests/r1")];
            c.Select(1);
        }, 't', _ => { }, HasTextField: false, ["Audit trail of #1"], []),
        ["supervisor"] = new(c =>
        {
            c.Feed(new Hotline.Console.State.IdentityKnown(Requests.Lena, c.Client.People));
            c.Client.QueueStats = SupervisorScreenTests.Figures();
        }, 'S', _ => { }, HasTextField: false,
            ["Supervisor", "IMMEDIATE DANGER", "time to first claim", "○ Timur B. (timur)", "Esc close"], []),
    };

    /// <summary>The lists opened from the queue (e, t) have no buttons, so no hotkeys to compare.</summary>
    private static readonly string[] WithoutButtons = ["related", "audit", "supervisor"];

    private static void TimurHoldsTwoAndLenaLooks(ConsoleHarness console)
    {
        console.Client.Me = Requests.Lena;
        console.Feed(new Hotline.Console.State.IdentityKnown(Requests.Lena, console.Client.People));
        console.Feed(Requests.Change(101, ChangeKind.Assigned, Requests.Make(2, message: Requests.Chechen, language: "ce",
            state: RequestState.Assigned, assignee: "operators/timur", revision: 101)));
        console.Select(2);
    }

    public static TheoryData<string> Dialogs => new(Cases.Keys);

    public static TheoryData<string> DialogsWithATextField => new(Cases.Where(c => c.Value.HasTextField).Select(c => c.Key));

    public static TheoryData<string, ColorMode> DialogsInEachMode()
    {
        var data = new TheoryData<string, ColorMode>();
        foreach (var name in Cases.Keys)
        {
            data.Add(name, ColorMode.Full);
            data.Add(name, ColorMode.Monochrome);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DialogsInEachMode))]
    public void EveryDialog_ShowsEachLabelEntryAndCurrentValueAt80x24(string dialog, ColorMode mode)
    {
        var shot = Open(dialog, mode);
        output.WriteLine(shot.Screen);

        foreach (var text in Cases[dialog].Visible)
        {
            Assert.True(shot.Inside.Contains(text, StringComparison.Ordinal), $"'{text}' is not readable in the {dialog} dialog:\n{shot.Screen}");
        }
        Assert.Equal(Cases[dialog].Chosen, shot.Chosen);
    }

    [Theory]
    [MemberData(nameof(Dialogs))]
    public void EveryDialog_KeepsEveryControlInsideItsContentAreaAt80x24(string dialog)
    {
        var shot = Open(dialog, ColorMode.Full);

        Assert.True(shot.Clipped.Count == 0, $"cut off in the {dialog} dialog: {string.Join(", ", shot.Clipped)}\n{shot.Screen}");
    }

    [Theory]
    [MemberData(nameof(DialogsWithATextField))]
    public void FocusedTextField_ShowsTheCursorInsideIt(string dialog)
    {
        var shot = Open(dialog, ColorMode.Full);

        Assert.NotNull(shot.Field);
        Assert.True(shot.Cursor.IsVisible, $"no cursor in the {dialog} dialog: {shot.Cursor}\n{shot.Screen}");
        Assert.True(shot.Field.Value.Contains(shot.Cursor.Position!.Value), $"cursor {shot.Cursor} is outside the field {shot.Field}");
    }

    [Theory]
    [MemberData(nameof(Dialogs))]
    public void Monochrome_NoCellOfTheDialogOrItsShadowHasAColour(string dialog)
    {
        var shot = Open(dialog, ColorMode.Monochrome);

        var coloured = shot.Coloured.Take(5).ToList();
        Assert.True(coloured.Count == 0, $"coloured cells with NO_COLOR in the {dialog} dialog: {string.Join(", ", coloured)}");
    }

    public static TheoryData<string> DialogsWithButtons => new(Cases.Keys.Except(WithoutButtons));

    [Theory]
    [MemberData(nameof(DialogsWithButtons))]
    public void EveryDialog_GivesEachControlItsOwnHotkey(string dialog)
    {
        var shot = Open(dialog, ColorMode.Full);

        var shared = shot.HotKeys.GroupBy(h => h.Key).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(" / ", g.Select(h => h.Text))}");
        Assert.Empty(shared);
        Assert.NotEmpty(shot.HotKeys);
    }

    private static void KeepDraft(ConsoleHarness console, long number)
    {
        console.Select(number);
        console.WithDialog<NoteDialog>(new Key('n'), _ =>
        {
            console.Type(Draft);
            console.Press(Key.Esc);
        });
    }

    private static HelpRequest[] Queue()
    {
        var tagged = Requests.Make(1, Urgency.Urgent, Requests.Russian, language: "ru");
        tagged.Tags.Add("detention");
        tagged.Tags.Add(Tag);
        return [tagged, Requests.Make(2, message: Requests.Chechen, language: "ce"), Requests.Make(3, state: RequestState.Closed)];
    }

    private sealed record Shot(string Screen, string Inside, Cursor Cursor, Rectangle? Field, IReadOnlyList<string> Clipped,
        IReadOnlyList<string> Coloured, IReadOnlyList<(string Key, string Text)> HotKeys, IReadOnlyList<string> Chosen);

    /// <summary>Opens the dialog on an 80x24 console, drives it, reads everything the tests check, then leaves it with Esc.</summary>
    private static Shot Open(string name, ColorMode mode)
    {
        var dialogCase = Cases[name];
        using var console = new ConsoleHarness(Queue(), 80, 24, mode);
        dialogCase.Prepare(console);
        Shot? shot = null;
        console.WithDialog<Dialog>(new Key(dialogCase.Key), dialog =>
        {
            dialogCase.Drive(console);
            shot = Read(console.App, dialog);
            console.Press(Key.Esc);
        });
        return shot!;
    }

    private static Shot Read(Terminal.Gui.App.IApplication app, Dialog dialog)
    {
        var screen = app.Screen();
        // The driver moves the cursor after drawing only when asked to.
        app.Driver!.SetCursorNeedsUpdate(true);
        app.Navigation!.UpdateCursor();
        var frame = dialog.FrameToScreen();
        var lines = screen.Split('\n');
        var inside = string.Join('\n', lines.Skip(frame.Y).Take(frame.Height)
            .Select(l => l.Length > frame.X ? l[frame.X..Math.Min(l.Length, frame.Right)] : ""));

        var clipped = new List<string>();
        var screenArea = new Rectangle(0, 0, app.Driver.Cols, app.Driver.Rows);
        if (!screenArea.Contains(frame))
        {
            clipped.Add($"the dialog itself ({frame})");
        }
        foreach (var view in dialog.SubViews.Where(v => v.Visible && !dialog.Viewport.Contains(v.Frame)))
        {
            clipped.Add($"{view.GetType().Name} '{view.Text}' at {view.Frame} in {dialog.Viewport}");
        }
        foreach (var button in dialog.Buttons.Where(b => !frame.Contains(b.FrameToScreen())))
        {
            clipped.Add($"button '{button.Text}'");
        }

        var coloured = new List<string>();
        var cells = app.Driver.Contents!;
        for (var row = frame.Top; row < frame.Bottom; row++)
        {
            for (var col = frame.Left; col < frame.Right; col++)
            {
                if (cells[row, col].Attribute is Attribute a && (a.Foreground != Color.None || a.Background != Color.None))
                {
                    coloured.Add($"({col},{row}) '{cells[row, col].Grapheme}' {a}");
                }
            }
        }

        var focused = dialog.MostFocused;
#pragma warning disable CS0618 // TextView is obsolete in Terminal.Gui 2.5.0, but the note editor is one.
        var field = focused is TextField or TextView ? focused.FrameToScreen() : (Rectangle?)null;
#pragma warning restore CS0618
        var hotKeys = Descendants(dialog).Concat(dialog.Buttons).Distinct()
            .Where(v => v.HotKey != Key.Empty)
            .Select(v => (v.HotKey.NoShift.ToString(), v.Text))
            .ToList();
        var chosen = Descendants(dialog).OfType<ListView>().Select(l => ChosenEntry(l, cells, lines)).OfType<string>().ToList();
        return new Shot(screen, inside, app.Driver.GetCursor(), field, clipped, coloured, hotKeys, chosen);
    }

    /// <summary>The selected entry of <paramref name="list"/> if its row is drawn unlike every other row, else null.</summary>
    private static string? ChosenEntry(ListView list, Cell[,] cells, string[] lines)
    {
        var frame = list.FrameToScreen();
        if (list.SelectedItem is not int selected)
        {
            return null;
        }
        var row = frame.Y + selected - list.Viewport.Y;
        var others = Enumerable.Range(frame.Y, frame.Height).Where(r => r != row).Select(r => cells[r, frame.X].Attribute);
        return others.Contains(cells[row, frame.X].Attribute) ? null : lines[row][frame.X..frame.Right].TrimEnd();
    }

    private static IEnumerable<View> Descendants(View view) => view.SubViews.SelectMany(v => Descendants(v).Prepend(v));
}
