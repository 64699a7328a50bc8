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
        new("a", "claim", "assign the selected request to me", HintPlace.Actions),
        new("A", "give", "assign it to another operator (pick from a list)", HintPlace.Actions),
        new("r", "release", "give it back to the queue", HintPlace.Actions),
        new("n", "note", "add a note (multi-line; F2 saves, Esc keeps the draft)", HintPlace.Actions),
        new("u", "urgency", "change urgency and tags", HintPlace.Actions),
        new("c", "close", "close with a resolution and a comment", HintPlace.Actions),
        new("o", "reopen", "reopen a closed request", HintPlace.Actions),
        new("?", "help", "this help (also F1)", HintPlace.Actions),
        new("q", "quit", "quit (asks first only while a note is being written)", HintPlace.Actions),
        new("/", "find", "search the loaded requests: number, text, contact, tags, notes", HintPlace.View),
        new("f", "filter", "filter by urgency, channel and language", HintPlace.View),
        new("1-4", "view", "all open / mine / unassigned / closed today", HintPlace.View),
        new("F12", "panic", "clear the screen and exit at once", HintPlace.Status),
        new("b", "bell", "turn the bell for new urgent requests on or off", HintPlace.HelpOnly),
        // Not on the action line, which is full at 80 columns: the detail pane names it whenever it applies.
        new(EarlierContacts.Key, "earlier", "list the same requester's other requests (↻N in the queue)", HintPlace.HelpOnly),
        new("Enter", "open", "show the whole request and its notes; Enter or Esc goes back", HintPlace.HelpOnly),
    ];

    /// <summary>The hints for one place, fitted to <paramref name="width"/> columns.</summary>
    public static string HintLine(HintPlace place, int width)
    {
        var hint = string.Join(" ", All.Where(k => k.Place == place).Select(k => $"{k.Key} {k.Short}"));
        return hint.Length <= width ? hint : hint[..Math.Max(0, width - 1)] + "…";
    }

    /// <summary>Every key, then two lines on moving and marks: all of it fits an 80x24 screen without scrolling.</summary>
    public static string HelpText() =>
        string.Join("\n", All.Select(k => $"{k.Key,-6} {k.Long}"))
        + "\nArrows, PgUp/PgDn, Home/End move in the queue; Tab moves between panes."
        + "\nDANGER sorts first (red or reversed). STALE: link down, screen may be old.";
}
