using System.Globalization;
using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>The audit trail's columns, in display order.</summary>
public enum AuditColumn
{
    Time,
    Who,
    Action,
    Detail,
}

/// <summary>What a row of one request's audit trail is formatted against.</summary>
/// <param name="Origin">`requests/{id}` whose trail is shown: the other requests an event names are the detail.</param>
/// <param name="DisplayName">`operators/{id}` -> a name to show, or the id when none is known.</param>
/// <param name="NumberOf">`requests/{id}` -> its number, when the console has the request loaded.</param>
public sealed record AuditRowContext(string Origin, Func<string, string> DisplayName, Func<string, long?> NumberOf, TimeZoneInfo Zone);

/// <summary>
/// One request's audit trail for supervisors: one row per event, formatted one cell at a time.
/// An event carries who, what and when, never what a request says, and only that is shown.
/// </summary>
public static class AuditRows
{
    /// <summary>The key that opens the trail.</summary>
    public const string Key = "t";

    /// <summary>How many other requests' numbers the detail names before it only counts them.</summary>
    private const int NumbersShown = 3;

    public static IReadOnlyList<string> Headers { get; } = ["Time", "Who", "Action", "Detail"];

    /// <summary>Widths that leave the detail about 18 columns in a dialog two columns inside an 80-column screen.</summary>
    public static IReadOnlyList<int> MinWidths { get; } = [19, 18, 14, 10];

    public static string Cell(AuditEvent audit, AuditColumn column, AuditRowContext context) => column switch
    {
        AuditColumn.Time => audit.Time is null ? "" : Time(audit.Time.ToDateTimeOffset(), context.Zone),
        AuditColumn.Who => Labels.Person(audit.Actor, context.DisplayName),
        AuditColumn.Action => Action(audit.Action),
        AuditColumn.Detail => Detail(audit, context),
        _ => "",
    };

    /// <summary>Seconds matter in an audit trail, and the date always: the trail may go back years.</summary>
    public static string Time(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>What happened, in words; a value this console does not know yet (a newer server) by its number.</summary>
    public static string Action(AuditAction action) => action switch
    {
        AuditAction.Submitted => "submitted",
        AuditAction.Assigned => "assigned",
        AuditAction.Released => "released",
        AuditAction.NoteAdded => "note added",
        AuditAction.Updated => "updated",
        AuditAction.Closed => "closed",
        AuditAction.Reopened => "reopened",
        AuditAction.Purged => "purged",
        AuditAction.RetentionRun => "retention run",
        AuditAction.Read => "read",
        AuditAction.Listed => "seen in a list",
        AuditAction.Watched => "watch started",
        AuditAction.Locked => "locked down",
        AuditAction.Unlocked => "unlocked",
        AuditAction.OperatorAdded => "user added",
        AuditAction.OperatorDisabled => "user disabled",
        AuditAction.OperatorEnabled => "user enabled",
        AuditAction.OperatorTokenRotated => "token rotated",
        AuditAction.OperatorTokenRevoked => "token revoked",
        AuditAction.WatchProgressed => "watch progress",
        AuditAction.WatchEnded => "watch ended",
        AuditAction.Escalated => "escalated",
        AuditAction.FollowUpSet => "follow-up set",
        AuditAction.FollowUpDue => "follow-up due",
        AuditAction.Reported => "report made",
        _ => string.Create(CultureInfo.InvariantCulture, $"action {(int)action}"),
    };

    /// <summary>
    /// The event's place in the chain, the revisions a watch stream covered (as far as it is known to
    /// have got; "+" while its end is not recorded), and the other requests it names: by number when
    /// loaded, else only counted.
    /// </summary>
    public static string Detail(AuditEvent audit, AuditRowContext context)
    {
        var sequence = string.Create(CultureInfo.InvariantCulture, $"seq {audit.Sequence}");
        if (audit.Operator.Length > 0)
        {
            sequence += " · account " + Labels.OperatorId(audit.Operator);
        }
        if (audit.Watch is { } watch)
        {
            var reached = audit.Reached ?? watch;
            sequence += string.Create(CultureInfo.InvariantCulture,
                $" · revs {watch.FromRevision}–{reached.ThroughRevision}{(reached.Ended ? "" : "+")}");
        }
        var others = audit.Requests.Where(r => r != context.Origin).ToList();
        if (others.Count == 0)
        {
            return sequence;
        }
        var numbers = others.Select(context.NumberOf).OfType<long>().Take(NumbersShown)
            .Select(n => string.Create(CultureInfo.InvariantCulture, $"#{n}")).ToList();
        var rest = others.Count - numbers.Count;
        if (numbers.Count == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{sequence} · with {rest} other{(rest == 1 ? "" : "s")}");
        }
        var more = rest > 0 ? string.Create(CultureInfo.InvariantCulture, $" +{rest}") : "";
        return $"{sequence} · with {string.Join(", ", numbers)}{more}";
    }

    /// <summary>The dialog's title.</summary>
    public static string Title(long number) => string.Create(CultureInfo.InvariantCulture, $"Audit trail of #{number}");

    /// <summary>True for the roles the server lets read the trail (supervisor and admin).</summary>
    public static bool MayRead(Operator? me) => me is { Role: >= OperatorRole.Supervisor };

    /// <summary>Why the key does nothing for this caller; said without asking the server.</summary>
    public static string NotForYou(Operator? me) => me is null
        ? "Your role is not known until connected; try the audit trail again then."
        : "The audit trail is for supervisors and admins.";

    /// <summary>The line above the trail: loading, how many events are shown, or why not.</summary>
    /// <param name="failure">The refusal to show instead, if the last page failed.</param>
    public static string Summary(long number, bool loading, int shown, bool hasMore, string? failure)
    {
        if (failure is not null)
        {
            return failure;
        }
        if (shown == 0)
        {
            return loading ? "loading…" : string.Create(CultureInfo.InvariantCulture, $"No audit event names #{number}.");
        }
        var more = loading ? " · loading more…" : hasMore ? " · more on the server" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{shown} event{(shown == 1 ? "" : "s")} for #{number}, oldest first{more}");
    }

    /// <summary>The hint line under the trail.</summary>
    public static string Hint(bool failed, bool hasMore) =>
        failed ? "Enter try again · Esc close"
        : hasMore ? "more load at the end · Esc close"
        : "Esc close";
}
