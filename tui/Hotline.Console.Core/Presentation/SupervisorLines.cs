using System.Globalization;
using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>
/// The supervisor screen as lines of text, from the server's figures: the queue by urgency and
/// state with the oldest unclaimed request's age, today's figures, then who holds how much and
/// whether their console is connected. Marks are characters, never colour alone: `!` on an urgency
/// with someone waiting unclaimed, `●`/`○` connected or not, `disabled` spelled out.
/// </summary>
public static class SupervisorLines
{
    public const string Key = "S";
    public const string Title = "Supervisor";

    /// <summary>The widest line drawn: an 80-column screen less the dialog's margins and border.</summary>
    public const int Width = 74;

    public static bool MayOpen(Operator? me) => me is { Role: >= OperatorRole.Supervisor };

    /// <summary>Why the key does nothing for this caller; said without asking the server.</summary>
    public static string NotForYou(Operator? me) => me is null
        ? "Your role is not known until connected; try the supervisor screen again then."
        : "The supervisor screen is for supervisors and admins.";

    /// <summary>
    /// The screen's lines, at most <paramref name="height"/>: operators beyond what fits are summed up
    /// in a last line. Ages are counted to <paramref name="now"/> from the server's times, so they tick
    /// between two reads.
    /// </summary>
    public static IReadOnlyList<string> Render(GetQueueStatsResponse figures, DateTimeOffset now, TimeZoneInfo zone, Func<string, string> displayName, int height)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(zone);
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{"Open requests",-22}{"unclaimed",10}{"overdue",8}{"held",7}{"waiting",9}  oldest unclaimed"),
        };
        foreach (var urgency in figures.Urgencies)
        {
            var mark = urgency.Unclaimed > 0 && urgency.Urgency == Urgency.ImmediateDanger ? "!" : " ";
            var oldest = urgency.OldestUnclaimedCreateTime is { } since ? Labels.Age(now - since.ToDateTimeOffset()) : "-";
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{mark} {Labels.UrgencyLong(urgency.Urgency),-20}{urgency.Unclaimed,10}{Overdue(urgency.Overdue),8}{urgency.Assigned,7}{urgency.Waiting,9}  {oldest}"));
        }
        lines.Add("");
        var today = figures.Today ?? new DayFigures();
        var start = today.StartTime is { } s ? TimeZoneInfo.ConvertTime(s.ToDateTimeOffset(), zone).ToString("HH:mm", CultureInfo.InvariantCulture) : "00:00";
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"Today (since {start}, day in {(today.TimeZone.Length == 0 ? "UTC" : today.TimeZone)}): received {today.Received}, claimed {today.Claimed}, closed {today.Closed}"));
        lines.Add(today.Claimed == 0
            ? "  time to first claim: nothing claimed yet today"
            : $"  time to first claim: median {Duration(today.MedianTimeToClaim)}, 90th percentile {Duration(today.P90TimeToClaim)}");
        lines.Add("");
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"{"Operators (● console connected, ○ not)",-47}{"held",6}{"due",5}  oldest held"));
        var operators = figures.Operators
            .OrderByDescending(o => o.Held).ThenBy(o => o.Connected ? 0 : 1).ThenBy(o => o.Operator, StringComparer.Ordinal).ToList();
        if (operators.Count == 0)
        {
            lines.Add("  nobody holds a request or has a console open");
        }
        var room = Math.Max(1, height - lines.Count);
        var shown = operators.Count <= room ? operators.Count : room - 1;
        foreach (var load in operators.Take(shown))
        {
            var who = Labels.Person(load.Operator, displayName) + (load.Disabled ? " disabled" : "");
            if (who.Length > 43)
            {
                who = who[..42] + "…";
            }
            var oldest = load.OldestHeldCreateTime is { } held ? Labels.Age(now - held.ToDateTimeOffset()) : "";
            // A due follow-up whose holder has no console open is a promise nobody is there to keep: marked `F!`.
            var due = load.DueFollowUps == 0 ? "" : load.Connected ? load.DueFollowUps.ToString(CultureInfo.InvariantCulture) : "F!" + load.DueFollowUps.ToString(CultureInfo.InvariantCulture);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{(load.Connected ? "●" : "○")} {who,-45}{load.Held,6}{due,5}  {oldest}"));
        }
        if (shown < operators.Count)
        {
            var rest = operators.Skip(shown).ToList();
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  … {rest.Count} more, holding {rest.Sum(o => o.Held)} ({rest.Count(o => o.Connected)} connected)"));
        }
        return [.. lines.Select(l => l.Length <= Width ? l : l[..(Width - 1)] + "…")];
    }

    /// <summary>The line above the figures: when they were read, or that they are loading, or why not.</summary>
    public static string Status(DateTimeOffset? readTime, bool loading, string? failure, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (failure is not null)
        {
            return failure;
        }
        if (readTime is not { } read)
        {
            return loading ? "Loading the figures…" : "No figures yet.";
        }
        return $"Live: figures read at {TimeZoneInfo.ConvertTime(read, zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture)}; they follow the queue as it changes.";
    }

    /// <summary>Overdue requests of an urgency as `!N` (a mark, so it shows without colour), blank when none.</summary>
    private static string Overdue(int count) => count == 0 ? "" : "!" + count.ToString(CultureInfo.InvariantCulture);

    public const string Hint = "Esc close · read again on every change and every 5 s";

    /// <summary>A duration for people: 45s, 4m 10s, 2h 05m.</summary>
    public static string Duration(Google.Protobuf.WellKnownTypes.Duration? duration)
    {
        if (duration is null)
        {
            return "-";
        }
        var span = duration.ToTimeSpan();
        return span.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalSeconds}s")
            : span.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m {span.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h {span.Minutes:00}m");
    }
}
