using System.Globalization;
using System.Text;
using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>The detail pane's text for one request: header facts, the message, then the notes timeline.</summary>
public static class DetailText
{
    private const string NoteIndent = "    ";

    /// <param name="displayName">`operators/{id}` -> a name to show.</param>
    /// <param name="zone">The operator's time zone, for wall-clock times.</param>
    /// <param name="earlierContactsKey">Whether to name the key that lists earlier contacts (not where the key does nothing).</param>
    public static string Build(HelpRequest request, Func<string, string> displayName, DateTimeOffset now, TimeZoneInfo zone,
        bool earlierContactsKey = true)
    {
        var text = new StringBuilder();
        // A hand-over note comes before anything else: it is what the receiver must read first.
        if (request.HandOver is { } handOver && request.State != RequestState.Closed
            && request.Notes.FirstOrDefault(n => n.Id == handOver.NoteId) is { } handOverNote)
        {
            var body = Labels.Printable(handOverNote.Text).TrimEnd().Replace("\n", "\n" + NoteIndent, StringComparison.Ordinal);
            text.Append(CultureInfo.InvariantCulture, $">> Handed over by {Person(handOver.From, displayName)}: {body}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"#{request.Number} · {Labels.UrgencyLong(request.Urgency)} · {Labels.ChannelLong(request.Channel)} · ");
        text.Append(request.State switch
        {
            RequestState.New => "new, nobody holds it",
            RequestState.Assigned => $"held by {Person(request.Assignee, displayName)}",
            RequestState.Waiting => $"waiting, held by {Person(request.Assignee, displayName)}",
            RequestState.Closed => $"closed ({Labels.Resolution(request.Resolution)})",
            _ => "",
        });
        text.Append('\n');
        if (request.CreateTime is { } created)
        {
            var at = created.ToDateTimeOffset();
            // No "minutes ago" here: the table's age column ticks, and redrawing this pane every second would reset its scroll.
            text.Append(CultureInfo.InvariantCulture, $"Received {Clock(at, zone, now)}");
        }
        text.Append(CultureInfo.InvariantCulture, $" · language {Or(request.Language, "unknown")} · region {Or(Labels.Printable(request.Region), "unknown")}\n");
        text.Append(CultureInfo.InvariantCulture, $"Contact: {Or(Labels.Printable(request.ContactHandle), "none given")}\n");
        if (request.EarlierContactCount > 0)
        {
            var count = request.EarlierContactCount;
            text.Append(earlierContactsKey ? EarlierContacts.DetailLine(count) : EarlierContacts.Count(count)).Append('\n');
        }
        if (WaitMarks.Step(request) > 0 && request.WaitingSince is { } waiting)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"Overdue !{WaitMarks.Step(request)}: unclaimed since {Clock(waiting.ToDateTimeOffset(), zone, now)}\n");
        }
        if (request.FollowUp is { } followUp && request.State != RequestState.Closed)
        {
            var when = followUp.DueTime is null ? "" : Clock(followUp.DueTime.ToDateTimeOffset(), zone, now);
            text.Append(CultureInfo.InvariantCulture,
                $"{(followUp.Due ? "Follow-up DUE (F!)" : "Follow-up")} {when}, set by {Person(followUp.SetBy, displayName)}: {Labels.Printable(followUp.Reason)}\n");
        }
        if (request.Tags.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Tags: {string.Join(", ", request.Tags)}\n");
        }
        if (request.State == RequestState.Closed)
        {
            text.Append(CultureInfo.InvariantCulture, $"Closed by {Person(request.ClosedBy, displayName)}");
            if (request.CloseTime is { } closed)
            {
                text.Append(CultureInfo.InvariantCulture, $" at {Clock(closed.ToDateTimeOffset(), zone, now)}");
            }
            text.Append(request.ResolutionComment.Length > 0 ? $": {Labels.Printable(request.ResolutionComment)}\n" : "\n");
        }
        text.Append('\n');
        text.Append(Labels.Printable(request.Message).TrimEnd());
        text.Append("\n\n");
        text.Append(request.Notes.Count == 0 ? "No notes yet." : $"Notes ({request.Notes.Count}):");
        foreach (var note in request.Notes)
        {
            var at = note.CreateTime is null ? "" : Clock(note.CreateTime.ToDateTimeOffset(), zone, now) + " ";
            // Continuation lines are indented, so a multi-line note reads as one entry of the timeline.
            var body = Labels.Printable(note.Text).TrimEnd().Replace("\n", "\n" + NoteIndent, StringComparison.Ordinal);
            text.Append(CultureInfo.InvariantCulture, $"\n{at}{Person(note.Author, displayName)}: {body}");
        }
        return text.ToString();
    }

    /// <summary>HH:mm today, otherwise the date too.</summary>
    public static string Clock(DateTimeOffset at, TimeZoneInfo zone, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        return local.ToString(local.Date == today ? "HH:mm" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    }

    private static string Person(string operatorName, Func<string, string> displayName) =>
        operatorName.Length == 0 ? "nobody" : Labels.Person(operatorName, displayName);

    private static string Or(string value, string fallback) => value.Length > 0 ? value : fallback;
}
