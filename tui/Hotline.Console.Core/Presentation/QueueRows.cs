using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>The queue table's columns, in display order.</summary>
public enum QueueColumn
{
    Number,
    Age,
    Urgency,
    Channel,
    State,
    Assignee,
    Language,
    FirstLine,
}

/// <summary>
/// Turns the model's requests into the rows the queue table shows: filtered, ordered (immediate
/// danger first, then urgent, then oldest first) and formatted one cell at a time, so only the
/// rows on screen are ever formatted and the age column ticks without rebuilding anything.
/// </summary>
public static class QueueRows
{
    public static IReadOnlyList<string> Headers { get; } = ["#", "Age", "Urg", "Via", "State", "Who", "Lang", "Message"];

    /// <summary>Column widths that fit 80 columns with the table's separators; the message takes the rest.</summary>
    public static IReadOnlyList<int> MinWidths { get; } = [4, 4, 6, 6, 7, 6, 4, 10];

    public static List<HelpRequest> Select(IEnumerable<HelpRequest> requests, QueueFilter filter, string? me, DateTimeOffset startOfToday)
    {
        var rows = requests.Where(r => filter.Matches(r, me, startOfToday)).ToList();
        rows.Sort(filter.Scope == QueueScope.ClosedToday ? ClosedOrder : QueueOrder);
        return rows;
    }

    /// <summary>Most urgent first; within an urgency the overdue (highest escalation step first), then the one waiting longest; the number breaks ties.</summary>
    public static int QueueOrder(HelpRequest a, HelpRequest b)
    {
        var byUrgency = b.Urgency.CompareTo(a.Urgency);
        if (byUrgency != 0)
        {
            return byUrgency;
        }
        var byStep = WaitMarks.Step(b).CompareTo(WaitMarks.Step(a));
        if (byStep != 0)
        {
            return byStep;
        }
        var byAge = Compare(a.CreateTime, b.CreateTime);
        return byAge != 0 ? byAge : a.Number.CompareTo(b.Number);
    }

    /// <summary>Most recently closed first.</summary>
    public static int ClosedOrder(HelpRequest a, HelpRequest b)
    {
        var byClose = Compare(b.CloseTime, a.CloseTime);
        return byClose != 0 ? byClose : b.Number.CompareTo(a.Number);
    }

    public static string Cell(HelpRequest request, QueueColumn column, DateTimeOffset now) => column switch
    {
        QueueColumn.Number => request.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        QueueColumn.Age => request.CreateTime is null ? "" : Labels.Age(now - request.CreateTime.ToDateTimeOffset()),
        QueueColumn.Urgency => Labels.Urgency(request.Urgency),
        QueueColumn.Channel => Labels.Channel(request.Channel),
        QueueColumn.State => WaitMarks.Of(request) is { Length: > 0 } mark ? mark + " " + Labels.State(request.State) : Labels.State(request.State),
        QueueColumn.Assignee => Labels.OperatorId(request.Assignee),
        QueueColumn.Language => request.Language,
        QueueColumn.FirstLine => EarlierContacts.Marker(request.EarlierContactCount) + Labels.FirstLine(request.Message),
        _ => "",
    };

    private static int Compare(Google.Protobuf.WellKnownTypes.Timestamp? a, Google.Protobuf.WellKnownTypes.Timestamp? b) =>
        (a, b) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            _ => a.CompareTo(b),
        };
}
