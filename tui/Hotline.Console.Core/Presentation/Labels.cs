using System.Globalization;
using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>Short words for enum values, sized for an 80-column queue table.</summary>
public static class Labels
{
    public static string Urgency(Urgency urgency) => urgency switch
    {
        Contract.V1.Urgency.ImmediateDanger => "DANGER",
        Contract.V1.Urgency.Urgent => "urgent",
        _ => "",
    };

    /// <summary>The full word, for dialogs and the detail pane.</summary>
    public static string UrgencyLong(Urgency urgency) => urgency switch
    {
        Contract.V1.Urgency.ImmediateDanger => "IMMEDIATE DANGER",
        Contract.V1.Urgency.Urgent => "urgent",
        _ => "routine",
    };

    public static string Channel(Channel channel) => channel switch
    {
        Contract.V1.Channel.Phone => "phone",
        Contract.V1.Channel.Sms => "sms",
        Contract.V1.Channel.Telegram => "tg",
        Contract.V1.Channel.Signal => "signal",
        Contract.V1.Channel.Whatsapp => "wa",
        Contract.V1.Channel.Email => "email",
        Contract.V1.Channel.WebForm => "web",
        Contract.V1.Channel.InPerson => "person",
        _ => "other",
    };

    public static string ChannelLong(Channel channel) => channel switch
    {
        Contract.V1.Channel.Telegram => "Telegram",
        Contract.V1.Channel.Signal => "Signal",
        Contract.V1.Channel.Whatsapp => "WhatsApp",
        Contract.V1.Channel.WebForm => "web form",
        Contract.V1.Channel.InPerson => "in person",
        Contract.V1.Channel.Sms => "SMS",
        _ => Channel(channel),
    };

    public static string State(RequestState state) => state switch
    {
        RequestState.New => "new",
        RequestState.Assigned => "held",
        RequestState.Waiting => "wait",
        RequestState.Closed => "closed",
        _ => "?",
    };

    public static string Resolution(Resolution resolution) => resolution switch
    {
        Contract.V1.Resolution.Evacuated => "evacuated",
        Contract.V1.Resolution.Referred => "referred",
        Contract.V1.Resolution.LegalAid => "legal aid",
        Contract.V1.Resolution.InformationGiven => "information given",
        Contract.V1.Resolution.NoContact => "no contact",
        Contract.V1.Resolution.Duplicate => "duplicate",
        Contract.V1.Resolution.Spam => "spam",
        Contract.V1.Resolution.Other => "other",
        _ => "",
    };

    /// <summary>The resolutions an operator can pick, in the order the close dialog lists them.</summary>
    public static IReadOnlyList<Resolution> Resolutions { get; } =
    [
        Contract.V1.Resolution.Evacuated, Contract.V1.Resolution.Referred, Contract.V1.Resolution.LegalAid,
        Contract.V1.Resolution.InformationGiven, Contract.V1.Resolution.NoContact, Contract.V1.Resolution.Duplicate,
        Contract.V1.Resolution.Spam, Contract.V1.Resolution.Other,
    ];

    public static IReadOnlyList<Urgency> Urgencies { get; } =
        [Contract.V1.Urgency.Routine, Contract.V1.Urgency.Urgent, Contract.V1.Urgency.ImmediateDanger];

    public static IReadOnlyList<Channel> Channels { get; } =
    [
        Contract.V1.Channel.Phone, Contract.V1.Channel.Sms, Contract.V1.Channel.Telegram, Contract.V1.Channel.Signal,
        Contract.V1.Channel.Whatsapp, Contract.V1.Channel.Email, Contract.V1.Channel.WebForm,
        Contract.V1.Channel.InPerson, Contract.V1.Channel.Other,
    ];

    /// <summary>`operators/anna` -> `anna`.</summary>
    public static string OperatorId(string operatorName) =>
        operatorName.StartsWith("operators/", StringComparison.Ordinal) ? operatorName["operators/".Length..] : operatorName;

    /// <summary>"Timur B. (timur)" when a display name is known, otherwise just the id.</summary>
    /// <param name="displayName">`operators/{id}` -> a name to show, or the id when none is known.</param>
    public static string Person(string operatorName, Func<string, string> displayName)
    {
        var id = OperatorId(operatorName);
        var name = displayName(operatorName);
        return name == id ? id : $"{name} ({id})";
    }

    /// <summary>How long ago, in at most five characters: 42s, 17m, 3h05, 12d.</summary>
    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }
        return age.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalSeconds}s")
            : age.TotalMinutes < 60 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes}m")
            : age.TotalHours < 24 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours}h{age.Minutes:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays}d");
    }

    /// <summary>The first non-blank line, with control characters (which could move the cursor) removed.</summary>
    public static string FirstLine(string message)
    {
        foreach (var line in message.Split('\n'))
        {
            var clean = Printable(line).Trim();
            if (clean.Length > 0)
            {
                return clean;
            }
        }
        return "";
    }

    /// <summary>
    /// Text from requesters goes to a terminal: an escape sequence in it must not reach the
    /// screen as one. Tabs become spaces, other control characters are dropped.
    /// </summary>
    public static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        return string.Concat(text.Where(c => c == '\n' || !char.IsControl(c) || c == '\t').Select(c => c == '\t' ? ' ' : c));
    }
}
