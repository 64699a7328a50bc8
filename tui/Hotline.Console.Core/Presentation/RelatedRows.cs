using System.Globalization;
using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>The related-requests list's columns, in display order.</summary>
public enum RelatedColumn
{
    Number,
    Received,
    Channel,
    Urgency,
    State,
    Assignee,
    FirstLine,
}

/// <summary>
/// The list of one requester's other requests: one row per request, formatted one cell at a
/// time like the queue, and the line above it saying what is shown. Fields arrive masked as the
/// server sent them and are shown as they are.
/// </summary>
public static class RelatedRows
{
    public static IReadOnlyList<string> Headers { get; } = ["#", "Received", "Via", "Urg", "State", "Who", "Message"];

    /// <summary>Widths that leave the message about 30 columns in a dialog two columns inside an 80-column screen.</summary>
    public static IReadOnlyList<int> MinWidths { get; } = [4, 10, 6, 6, 6, 6, 10];

    public static string Cell(HelpRequest request, RelatedColumn column, DateTimeOffset now, TimeZoneInfo zone) => column switch
    {
        RelatedColumn.Number => request.Number.ToString(CultureInfo.InvariantCulture),
        RelatedColumn.Received => request.CreateTime is null ? "" : Received(request.CreateTime.ToDateTimeOffset(), now, zone),
        RelatedColumn.Channel => Labels.Channel(request.Channel),
        RelatedColumn.Urgency => Labels.Urgency(request.Urgency),
        RelatedColumn.State => Labels.State(request.State),
        RelatedColumn.Assignee => Labels.OperatorId(request.Assignee),
        RelatedColumn.FirstLine => Labels.FirstLine(request.Message),
        _ => "",
    };

    /// <summary>HH:mm today, the date before today: ten columns at most.</summary>
    public static string Received(DateTimeOffset at, DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        return local.ToString(local.Date == today ? "HH:mm" : "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>The dialog's title.</summary>
    public static string Title(HelpRequest origin) => $"Same requester as #{origin.Number}";

    /// <summary>The line above the list: loading, how many there are, or why not.</summary>
    /// <param name="failure">The refusal to show instead, if the last page failed.</param>
    public static string Summary(long originNumber, bool loading, int shown, int total, string? failure)
    {
        if (failure is not null)
        {
            return failure;
        }
        if (shown == 0)
        {
            return loading ? "loading…" : $"No other request from #{originNumber}'s requester is on record.";
        }
        var more = loading ? " · loading more…" : shown < total ? string.Create(CultureInfo.InvariantCulture, $" · {shown} shown") : "";
        return string.Create(CultureInfo.InvariantCulture, $"{total} other request{(total == 1 ? "" : "s")} from #{originNumber}'s requester, newest first{more}");
    }

    /// <summary>The hint line under the list.</summary>
    public static string Hint(bool failed, bool hasMore, bool showingOne) =>
        showingOne ? "Esc back to the list"
        : failed ? "Enter try again · Esc close"
        : hasMore ? "Enter open · more load at the end · Esc close"
        : "Enter open · Esc close";
}
