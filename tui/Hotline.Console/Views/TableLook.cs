using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>How every table in the console looks and moves: the queue and the lists opened from it.</summary>
internal static class TableLook
{
    /// <summary>
    /// One line under the header and none between cells; widths pinned, since TableView measures
    /// them from the visible rows only and columns would jump while scrolling; the last column
    /// takes what is left. Home/End go to the first and last row (loading more from there), not
    /// the first and last column.
    /// </summary>
    public static void Apply(TableView table, IReadOnlyList<int> minWidths)
    {
        table.Style.ShowHorizontalHeaderOverline = false;
        table.Style.ShowHorizontalBottomLine = false;
        table.Style.ShowVerticalCellLines = false;
        table.Style.ShowVerticalHeaderLines = false;
        table.Style.AlwaysShowHeaders = true;
        table.Style.ExpandLastColumn = true;
        var last = minWidths.Count - 1;
        for (var i = 0; i < minWidths.Count; i++)
        {
            table.Style.ColumnStyles[i] = new ColumnStyle { MinWidth = minWidths[i], MaxWidth = i == last ? 200 : minWidths[i] };
        }
        table.KeyBindings.Remove(Key.Home);
        table.KeyBindings.Add(Key.Home, Command.Start);
        table.KeyBindings.Remove(Key.End);
        table.KeyBindings.Add(Key.End, Command.End);
    }
}
