namespace Hotline.Console.Presentation;

/// <summary>The view line's left part: what the table is showing, in words.</summary>
public static class FilterSummary
{
    public static string Describe(QueueFilter filter)
    {
        var parts = new List<string>
        {
            filter.Scope switch
            {
                QueueScope.Mine => "mine",
                QueueScope.Unassigned => "unassigned",
                QueueScope.ClosedToday => "closed today",
                QueueScope.Due => filter.SeesAllDue ? "follow-ups due (all)" : "my follow-ups due",
                _ => "all open",
            },
        };
        if (filter.Urgency is { } urgency)
        {
            parts.Add(Labels.UrgencyLong(urgency));
        }
        if (filter.Channel is { } channel)
        {
            parts.Add(Labels.ChannelLong(channel));
        }
        if (!string.IsNullOrEmpty(filter.Language))
        {
            parts.Add("lang " + filter.Language);
        }
        if (filter.Search.Length > 0)
        {
            parts.Add($"\"{filter.Search}\"");
        }
        return string.Join(" · ", parts);
    }
}
