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

/// <summary>One key the operator can press, and what it does.</summary>
public sealed record KeyHelp(string Key, string Short, string Long, HintPlace Place);

/// <summary>
/// Every key of the main screen, in one list that the hint lines and the help screen are all
/// built from, so they can never disagree. At 80 columns the hints are split over the view line
/// (top), the action line and the status line (bottom).
/// </summary>
public static class Keys
{
    public static IReadOnlyList<KeyHelp> All { get; } =
    [
        new("a", "claim", "claim: assign the request to me", HintPlace.Actions),
        new("A", "give", "assign it to another operator (pick from a list)", HintPlace.Actions),
        new("r", "release", "give it back to the queue", HintPlace.Actions),
        new("n", "note", "add a note (multi-line; F2 saves, Esc keeps the draft)", HintPlace.Actions),
        new("u", "urgency", "change urgency and tags", HintPlace.Actions),
        new("c", "close", "close with a resolution and a comment", HintPlace.Actions),
        new("o", "reopen", "reopen a closed request", HintPlace.Actions),
        // Not on the action line, which is full at 80 columns: the detail pane names it whenever it applies.
        new(EarlierContacts.Key, "earlier", "list the same requester's other requests (↻N in the queue)", HintPlace.HelpOnly),
        new(AuditRows.Key, "trail", "who read or changed it, and when (supervisors and admins)", HintPlace.HelpOnly),
        new("Enter", "open", "show the whole request and its notes; Enter or Esc goes back", HintPlace.HelpOnly),
        new("?", "help", "this help (also F1)", HintPlace.Actions),
        new("q", "quit", "quit (asks first only while a note is being written)", HintPlace.Actions),
        new("/", "find", "search loaded requests: number, text, contact, tags, notes", HintPlace.View),
        new("f", "filter", "filter by urgency, channel and language", HintPlace.View),
        new("1-4", "view", "all open / mine / unassigned / closed today", HintPlace.View),
        new("b", "bell", "turn the bell for new urgent requests on or off", HintPlace.HelpOnly),
        new("F12", "panic", "clear the screen, exit at once", HintPlace.Status),
    ];

    /// <summary>The help screen's lines under the keys, on moving and marks.</summary>
    public static IReadOnlyList<string> HelpNotes { get; } =
    [
        "Arrows, PgUp/PgDn, Home/End move in the queue; Tab moves between panes.",
        "DANGER sorts first (red or reversed). STALE: link down, screen may be old.",
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
        return hint.Length <= width ? hint : hint[..Math.Max(0, width - 1)] + "…";
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
