using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>Which part of the queue the table shows.</summary>
public enum QueueScope
{
    /// <summary>Every request that is not closed.</summary>
    Open,

    /// <summary>Open requests held by the signed-in operator.</summary>
    Mine,

    /// <summary>Requests nobody holds yet.</summary>
    Unassigned,

    /// <summary>Requests closed since local midnight.</summary>
    ClosedToday,

    /// <summary>Open requests whose follow-up is due: the operator's own, or everyone's for supervisors and admins (<see cref="QueueFilter.SeesAllDue"/>).</summary>
    Due,
}

/// <summary>What the operator asked to see. Null criteria match everything.</summary>
public sealed record QueueFilter(
    QueueScope Scope = QueueScope.Open,
    Urgency? Urgency = null,
    Channel? Channel = null,
    string? Language = null,
    string Search = "")
{
    public static QueueFilter Default { get; } = new();

    /// <summary>The "due" view shows every due follow-up, not only the operator's own: for supervisors and admins, who cover colleagues off shift.</summary>
    public bool SeesAllDue { get; init; }

    /// <summary>Local midnight of <paramref name="now"/> in <paramref name="zone"/>: where "closed today" starts.</summary>
    public static DateTimeOffset StartOfToday(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        return new DateTimeOffset(local.Date, local.Offset);
    }

    /// <param name="me">`operators/{id}` of the signed-in operator.</param>
    /// <param name="startOfToday">Local midnight, for "closed today".</param>
    public bool Matches(HelpRequest request, string? me, DateTimeOffset startOfToday)
    {
        var inScope = Scope switch
        {
            QueueScope.Open => request.State != RequestState.Closed,
            QueueScope.Mine => request.State != RequestState.Closed && me is not null && request.Assignee == me,
            QueueScope.Unassigned => request.State == RequestState.New,
            QueueScope.ClosedToday => request.State == RequestState.Closed && request.CloseTime is { } closed
                && closed.ToDateTimeOffset() >= startOfToday,
            QueueScope.Due => request.State != RequestState.Closed && request.FollowUp is { Due: true }
                && (SeesAllDue || (me is not null && request.Assignee == me)),
            _ => false,
        };
        return inScope
            && (Urgency is null || request.Urgency == Urgency)
            && (Channel is null || request.Channel == Channel)
            && (string.IsNullOrEmpty(Language) || request.Language.StartsWith(Language, StringComparison.OrdinalIgnoreCase))
            && (Search.Length == 0 || MatchesText(request, Search.Trim()));
    }

    /// <summary>Case-insensitive search over what an operator might remember about a request.</summary>
    private static bool MatchesText(HelpRequest request, string search)
    {
        if (search.Length == 0)
        {
            return true;
        }
        var number = search.TrimStart('#');
        if (long.TryParse(number, out var n) && n == request.Number)
        {
            return true;
        }
        return Contains(request.Message, search)
            || Contains(request.ContactHandle, search)
            || Contains(request.Region, search)
            || Contains(request.Assignee, search)
            || request.Tags.Any(t => Contains(t, search))
            || request.Notes.Any(note => Contains(note.Text, search));
    }

    private static bool Contains(string text, string search) => text.Contains(search, StringComparison.OrdinalIgnoreCase);
}
