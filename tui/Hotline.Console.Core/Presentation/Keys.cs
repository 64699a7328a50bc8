using Hotline.Console.Operations;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>Where a key's hint is shown besides the help screen.</summary>
public enum HintPlace
{
    /// <summary>The action line under the detail pane.</summary>
    Actions,

    /// <summary>The view line above the queue, next to the filter it changes.</summary>
    View,

    /// <summary>The status line.</summary>
    Status,

    /// <summary>Only the help screen (navigation keys everyone knows).</summary>
    HelpOnly,
}

/// <summary>
/// What the main screen's keys can do and the little they need to know to decide whether they
/// may. The console window implements it; <see cref="Keys.All"/> says which key calls what, so
/// a test can dispatch every key against a recording screen without a terminal.
/// </summary>
public interface IOperatorScreen
{
    /// <summary>The request the table's selection is on, or null.</summary>
    HelpRequest? Selected { get; }

    /// <summary>True while an action on a request waits for the server: another is dropped, not queued.</summary>
    bool Busy { get; }

    LinkState Link { get; }

    /// <summary>Shows why a key did nothing, on the result line.</summary>
    void Tell(ActionOutcome outcome);

    void Claim();

    void Give();

    void Release();

    void Note();

    void Triage();

    void Close();

    void Reopen();

    void ShowEarlierContacts();

    void ShowAudit();

    /// <summary>S: the supervisor screen (supervisors and admins; others are told it is not for them).</summary>
    void ShowSupervisor();

    /// <summary>Enter: from the search field back to the queue; else the whole request, or back from it.</summary>
    void Open();

    /// <summary>Esc: leave the search, then the whole request; never quits.</summary>
    void Back();

    void JumpToNewestDanger();

    void JumpToLongestWaiting();

    void MoveBy(int rows);

    void MoveToFirst();

    void MoveToLast();

    /// <summary>Half a screen down (1) or up (-1).</summary>
    void MoveHalfPage(int direction);

    void CycleDetailSize();

    void ShowHelp();

    void RequestQuit();

    void StartSearch();

    void ShowFilter();

    void ShowScope(QueueScope scope);

    /// <summary>F: set a follow-up on the selected request.</summary>
    void FollowUp();

    void ToggleBell();

    void RetryNow();

    void Panic();
}

/// <summary>One key name the screen dispatches on ("j", "Ctrl+D", "F1", "Esc") and what it does.</summary>
public sealed record KeyBinding(string Name, Action<IOperatorScreen> Run);

/// <summary>
/// One entry of the key table: how it is shown (<see cref="Key"/>, "j k"), what it does in a
/// word (<see cref="Short"/>, the hint lines) and in a phrase (<see cref="Long"/>, the help
/// screen), and the key names it binds with their handlers. When <see cref="EnabledWhen"/> is
/// false the handler does not run and the screen is told <see cref="WhyNot"/>, if anything.
/// </summary>
public sealed record KeyEntry(string Key, string Short, string Long, HintPlace Place, IReadOnlyList<KeyBinding> Bindings)
{
    /// <summary>An entry binding <paramref name="key"/> itself to <paramref name="run"/>.</summary>
    public KeyEntry(string key, string @short, string @long, HintPlace place, Action<IOperatorScreen> run)
        : this(key, @short, @long, place, [new KeyBinding(key, run)])
    {
    }

    public Func<IOperatorScreen, bool> EnabledWhen { get; init; } = _ => true;

    /// <summary>What the operator is told when a key of this entry is pressed while it is not enabled; null: nothing.</summary>
    public Func<IOperatorScreen, ActionOutcome?> WhyNot { get; init; } = _ => null;
}

/// <summary>
/// Every key of the main screen, in one table. The hint lines, the help screen and the screen's
/// key handling are all derived from it (<see cref="Dispatch"/> is the only way a key reaches a
/// handler), so what is shown and what works cannot disagree. At 80 columns the hints are split
/// over the view line (top), the hint line and the status line (bottom).
/// </summary>
public static class Keys
{
    private static readonly ActionOutcome SelectFirst = ActionOutcome.Refused("Select a request first.");

    public static IReadOnlyList<KeyEntry> All { get; } =
    [
        OnRequest("a", "claim", "claim: assign it to me", s => s.Claim()),
        OnRequest("A", "give", "give it to another operator", s => s.Give()),
        OnRequest("r", "release", "release it back to the queue", s => s.Release()),
        OnRequest("n", "note", "add a note; F2 saves", s => s.Note()),
        OnRequest("u", "urgency", "change urgency and tags", s => s.Triage()),
        OnRequest("c", "close", "close with a resolution", s => s.Close()),
        // Not on the hint line, which is full at 80 columns; the help screen and README name it.
        OnSelected("F", "later", "follow up later (time, reason)", s => s.FollowUp()) with
        {
            EnabledWhen = s => !s.Busy && s.Selected is not null,
            WhyNot = s => s.Busy ? null : SelectFirst,
        },
        OnRequest("o", "reopen", "reopen a closed request", s => s.Reopen()),
        // Not on the hint line, which is full at 80 columns: the detail pane names it whenever it applies.
        OnSelected(EarlierContacts.Key, "earlier", "requester's other requests (↻N)", s => s.ShowEarlierContacts()),
        OnSelected(AuditRows.Key, "trail", "who read or changed it (audit)", s => s.ShowAudit()),
        new(SupervisorLines.Key, "supervise", "supervisor: queue, loads, today", HintPlace.HelpOnly, s => s.ShowSupervisor()),
        new("Enter", "open", "whole request (Enter/Esc: back)", HintPlace.HelpOnly,
            [new("Enter", s => s.Open()), new("Esc", s => s.Back())]),
        new("!", "danger", "newest IMMEDIATE DANGER request", HintPlace.HelpOnly, s => s.JumpToNewestDanger()),
        new("w", "waiting", "oldest request nobody holds", HintPlace.HelpOnly, s => s.JumpToLongestWaiting()),
        new("j k", "move", "next / previous request", HintPlace.HelpOnly, [new("j", s => s.MoveBy(1)), new("k", s => s.MoveBy(-1))]),
        new("g G", "ends", "first / last request", HintPlace.HelpOnly, [new("g", s => s.MoveToFirst()), new("G", s => s.MoveToLast())]),
        new("^D ^U", "half", "half a screen down / up", HintPlace.HelpOnly,
            [new("Ctrl+D", s => s.MoveHalfPage(1)), new("Ctrl+U", s => s.MoveHalfPage(-1))]),
        new("d", "detail", "detail pane half/small/hidden", HintPlace.HelpOnly, s => s.CycleDetailSize()),
        new("?", "help", "this help (also F1)", HintPlace.Actions, [new("?", s => s.ShowHelp()), new("F1", s => s.ShowHelp())]),
        new("q", "quit", "quit (also Ctrl+Q, Ctrl+C)", HintPlace.Actions,
            [new("q", s => s.RequestQuit()), new("Ctrl+Q", s => s.RequestQuit()), new("Ctrl+C", s => s.RequestQuit())]),
        new("/", "find", "search text, contact, tags", HintPlace.View, s => s.StartSearch()),
        new("f", "filter", "filter urgency/channel/language", HintPlace.View, s => s.ShowFilter()),
        new("1-5", "view", "open / mine / unassigned / closed today / follow-ups due", HintPlace.View,
        [
            new("1", s => s.ShowScope(QueueScope.Open)),
            new("2", s => s.ShowScope(QueueScope.Mine)),
            new("3", s => s.ShowScope(QueueScope.Unassigned)),
            new("4", s => s.ShowScope(QueueScope.ClosedToday)),
            new("5", s => s.ShowScope(QueueScope.Due)),
        ]),
        new("b", "bell", "bell for urgent requests on/off", HintPlace.HelpOnly, s => s.ToggleBell()),
        new(StatusLine.RetryKey, "retry", "offline: reconnect now", HintPlace.HelpOnly, s => s.RetryNow())
        {
            EnabledWhen = s => s.Link == LinkState.Retrying,
            WhyNot = s => s.Link == LinkState.SignedOut
                ? ActionOutcome.Refused("Signed out: a new token and a restart are needed; retrying cannot help.")
                : ActionOutcome.Done("Not waiting to reconnect: nothing to retry."),
        },
        new("F12", "panic", "panic: clear, sign out, exit", HintPlace.Status, s => s.Panic()),
    ];

    private static readonly Dictionary<string, (KeyEntry Entry, KeyBinding Binding)> ByName =
        All.SelectMany(entry => entry.Bindings.Select(binding => (entry, binding))).ToDictionary(b => b.binding.Name, StringComparer.Ordinal);

    /// <summary>Every key name the table binds.</summary>
    public static IEnumerable<string> Names => ByName.Keys;

    /// <summary>
    /// Runs the handler bound to <paramref name="name"/> when its entry is enabled, else tells the
    /// screen why not. False when the table does not bind the name: the key is not the screen's.
    /// </summary>
    public static bool Dispatch(IOperatorScreen screen, string name)
    {
        if (!ByName.TryGetValue(name, out var bound))
        {
            return false;
        }
        if (bound.Entry.EnabledWhen(screen))
        {
            bound.Binding.Run(screen);
        }
        else if (bound.Entry.WhyNot(screen) is { } why)
        {
            screen.Tell(why);
        }
        return true;
    }

    /// <summary>An action on the selected request, on the hint line. While another waits for the server the key is dropped.</summary>
    private static KeyEntry OnRequest(string key, string @short, string @long, Action<IOperatorScreen> run) =>
        new(key, @short, @long, HintPlace.Actions, run)
        {
            EnabledWhen = s => !s.Busy && s.Selected is not null,
            WhyNot = s => s.Busy ? null : SelectFirst,
        };

    /// <summary>A dialog about the selected request, only on the help screen.</summary>
    private static KeyEntry OnSelected(string key, string @short, string @long, Action<IOperatorScreen> run) =>
        new(key, @short, @long, HintPlace.HelpOnly, run) { EnabledWhen = s => s.Selected is not null, WhyNot = _ => SelectFirst };

    /// <summary>The help screen's lines under the keys, on moving and marks.</summary>
    public static IReadOnlyList<string> HelpNotes { get; } =
    [
        "Arrows, PgUp/PgDn, Home/End also move; a and r ask before taking over.",
        "OFFLINE over the hints: the link is down, the screen may be old; F5 retries.",
    ];

    /// <summary>The width of the help screen's text: an 80-column screen less the dialog's border and shadow.</summary>
    public const int HelpWidth = 77;

    /// <summary>Between the two columns of keys.</summary>
    public const int HelpColumnGap = 2;

    /// <summary>The width of each column of keys.</summary>
    public const int HelpColumnWidth = (HelpWidth - HelpColumnGap) / 2;

    private const int KeyWidth = 6;

    /// <summary>The hints for one place, every key as if enabled, fitted to <paramref name="width"/> columns.</summary>
    public static string HintLine(HintPlace place, int width) => HintLine(place, width, _ => true);

    /// <summary>
    /// The hints for one place as <paramref name="screen"/> stands now: a key whose entry is not
    /// enabled is left out rather than only greyed, so it reads as unavailable without colour (NO_COLOR).
    /// </summary>
    public static string HintLine(HintPlace place, int width, IOperatorScreen screen) =>
        HintLine(place, width, entry => entry.EnabledWhen(screen));

    private static string HintLine(HintPlace place, int width, Func<KeyEntry, bool> shown)
    {
        var hint = string.Join(" ", All.Where(k => k.Place == place && shown(k)).Select(k => $"{k.Key} {k.Short}"));
        return TextRows.Cut(hint, width);
    }

    /// <summary>
    /// Every key in two columns, in the order of <see cref="All"/> split where the columns come out
    /// evenest, each description wrapped under its key, then the notes.
    /// At <see cref="HelpWidth"/> it fits an 80x24 screen without scrolling, with room for a few more keys.
    /// </summary>
    public static string HelpText()
    {
        var entries = All.Select(k => Entry(k, HelpColumnWidth)).ToList();
        var split = Enumerable.Range(1, entries.Count - 1)
            .MinBy(k => Math.Max(entries.Take(k).Sum(e => e.Count), entries.Skip(k).Sum(e => e.Count)));
        var left = entries.Take(split).SelectMany(e => e).ToList();
        var right = entries.Skip(split).SelectMany(e => e).ToList();
        var rows = Enumerable.Range(0, Math.Max(left.Count, right.Count)).Select(i =>
            (i < left.Count ? left[i] : "").PadRight(HelpColumnWidth + HelpColumnGap) + (i < right.Count ? right[i] : ""));
        return string.Join("\n", rows.Select(r => r.TrimEnd()).Append("").Concat(HelpNotes));
    }

    /// <summary>"n     add a note (multi-line; F2" / "      saves, Esc keeps the draft)".</summary>
    private static List<string> Entry(KeyEntry key, int columnWidth)
    {
        var lines = TextRows.WrapAll(key.Long, columnWidth - KeyWidth);
        return [.. lines.Select((line, i) => (i == 0 ? key.Key : "").PadRight(KeyWidth) + line)];
    }
}
