using System.Globalization;

namespace Hotline.Console.Presentation;

/// <summary>
/// How a request's <c>earlier_contact_count</c> is worded: the detail pane's line and the queue's
/// compact marker. The server counts up to <see cref="Cap"/>, which means that many or more.
/// </summary>
public static class EarlierContacts
{
    /// <summary>The server stops counting here (HelpRequest.earlier_contact_count).</summary>
    public const int Cap = 100;

    /// <summary>The key that opens the list of related requests.</summary>
    public const string Key = "e";

    /// <summary>"1 earlier contact", "3 earlier contacts", "100+ earlier contacts"; empty for none.</summary>
    public static string Count(int count) => count switch
    {
        <= 0 => "",
        1 => "1 earlier contact",
        _ => $"{Number(count)} earlier contacts",
    };

    /// <summary>The detail pane's line, naming the key; empty for none.</summary>
    public static string DetailLine(int count) => count <= 0 ? "" : $"{Count(count)} — press {Key} to open";

    /// <summary>
    /// The queue row's prefix to the first line of the message: "↻3 ". It sits in the message
    /// column so the fixed columns keep their widths at 80 columns.
    /// </summary>
    public static string Marker(int count) => count <= 0 ? "" : $"↻{Number(count)} ";

    private static string Number(int count) =>
        count >= Cap ? string.Create(CultureInfo.InvariantCulture, $"{Cap}+") : count.ToString(CultureInfo.InvariantCulture);
}
