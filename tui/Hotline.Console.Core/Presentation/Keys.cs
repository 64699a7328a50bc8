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
/// One entry of the key table: how it is shown (<see cref="Key"/>, "j k"), what it does, and the
/// key names the screen dispatches on (<see cref="Names"/>: "j", "k"; "Ctrl+D"; "F1").
/// </summary>
public sealed record KeyHelp(string Key, string Short, string Long, HintPlace Place, params string[] Names)
{
    /// <summary>The names the screen binds: <see cref="Names"/> when given, else <see cref="Key"/> itself.</summary>
    public IReadOnlyList<string> Bound => Names.Length > 0 ? Names : [Key];
}

/// <summary>
/// Every key of the main screen, in one list. The hint lines and the help screen are built from
/// it, and the screen dispatches keys through it (each bound name has exactly one handler, which
/// a test checks), so what is shown and what works cannot disagree. At 80 columns the hints are
/// split over the view line (top), the hint line and the status line (bottom).
/// </summary>
public static class Keys
{
    public static IReadOnlyList<KeyHelp> All { get; } =
    [
        new("a", "claim", "claim: assign it to me", HintPlace.Actions),
        new("A", "give", "give it to another operator", HintPlace.Actions),
        new("r", "release", "release it back to the queue", HintPlace.Actions),
        new("n", "note", "add a note; F2 saves", HintPlace.Actions),
        new("u", "urgency", "change urgency and tags", HintPlace.Actions),
        new("c", "close", "close with a resolution", HintPlace.Actions),
        new("o", "reopen", "reopen a closed request", HintPlace.Actions),
        // Not on the hint line, which is full at 80 columns: the detail pane names it whenever it applies.
        new(EarlierContacts.Key, "earlier", "requester's other requests (↻N)", HintPlace.HelpOnly),
        new(AuditRows.Key, "trail", "who read or changed it (audit)", HintPlace.HelpOnly),
        new("Enter", "open", "whole request (Enter/Esc: back)", HintPlace.HelpOnly),
        new("!", "danger", "newest IMMEDIATE DANGER request", HintPlace.HelpOnly),
        new("w", "waiting", "oldest request nobody holds", HintPlace.HelpOnly),
        new("j k", "move", "next / previous request", HintPlace.HelpOnly, "j", "k"),
        new("g G", "ends", "first / last request", HintPlace.HelpOnly, "g", "G"),
        new("^D ^U", "half", "half a screen down / up", HintPlace.HelpOnly, "Ctrl+D", "Ctrl+U"),
        new("d", "detail", "detail pane half/small/hidden", HintPlace.HelpOnly),
        new("?", "help", "this help (also F1)", HintPlace.Actions, "?", "F1"),
        new("q", "quit", "quit (also Ctrl+Q, Ctrl+C)", HintPlace.Actions, "q", "Ctrl+Q", "Ctrl+C"),
        new("/", "find", "search text, contact, tags", HintPlace.View),
        new("f", "filter", "filter urgency/channel/language", HintPlace.View),
        new("1-4", "view", "open / mine / unassigned / closed today", HintPlace.View, "1", "2", "3", "4"),
        new("b", "bell", "bell for urgent requests on/off", HintPlace.HelpOnly),
        new(StatusLine.RetryKey, "retry", "offline: reconnect now", HintPlace.HelpOnly),
        new("F12", "panic", "panic: clear, sign out, exit", HintPlace.Status),
    ];

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

    /// <summary>The hints for one place, fitted to <paramref name="width"/> columns.</summary>
    public static string HintLine(HintPlace place, int width)
    {
        var hint = string.Join(" ", All.Where(k => k.Place == place).Select(k => $"{k.Key} {k.Short}"));
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
    private static List<string> Entry(KeyHelp key, int columnWidth)
    {
        var lines = TextRows.WrapAll(key.Long, columnWidth - KeyWidth);
        return [.. lines.Select((line, i) => (i == 0 ? key.Key : "").PadRight(KeyWidth) + line)];
    }
}
