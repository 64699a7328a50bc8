using System.Text.RegularExpressions;
using Hotline.Console.Presentation;

namespace Hotline.Console.Tests;

/// <summary>Reads the two-column help the way a person does: down the left column, then down the right.</summary>
internal static class HelpColumns
{
    /// <summary>The columns' text, runs of whitespace as one space, so a wrapped description reads as one.</summary>
    /// <param name="lines">The help's lines, or the screen's rows.</param>
    /// <param name="start">Where the left column starts in each line: 0 for the help text, 1 inside the dialog's border.</param>
    public static string Read(IEnumerable<string> lines, int start)
    {
        var rows = lines.ToList();
        var right = start + Keys.HelpColumnWidth + Keys.HelpColumnGap;
        string Cut(string row, int from) => row.Length <= from ? "" : row.Substring(from, Math.Min(Keys.HelpColumnWidth, row.Length - from));
        var text = string.Join(' ', rows.Select(r => Cut(r, start))) + " " + string.Join(' ', rows.Select(r => Cut(r, right)));
        return Regex.Replace(text, @"\s+", " ");
    }
}
