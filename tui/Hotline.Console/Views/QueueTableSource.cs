using Hotline.Console.Presentation;
using Hotline.Contract.V1;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// The queue table's rows as a live view over the ordered rows the window keeps up to date.
/// Cells are formatted on demand, so only visible rows cost anything and ages tick on redraw.
/// </summary>
internal sealed class QueueTableSource(Func<DateTimeOffset> now) : ITableSource
{
    private static readonly QueueColumn[] ColumnOrder = Enum.GetValues<QueueColumn>();

    /// <summary>The rows in order, kept up to date one change at a time.</summary>
    public QueueRowList List { get; } = new();

    public IReadOnlyList<HelpRequest> Items => List.Rows;

    /// <summary>Columns the message gets on screen; a longer first line ends with "…" so it reads as cut, not as complete.</summary>
    public int MessageWidth { get; set; } = int.MaxValue;

    public object this[int row, int col]
    {
        get
        {
            var text = QueueRows.Cell(Items[row], ColumnOrder[col], now());
            return ColumnOrder[col] == QueueColumn.FirstLine ? TextRows.Cut(text, MessageWidth) : text;
        }
    }

    public int Rows => Items.Count;

    public int Columns => ColumnOrder.Length;

    public string[] ColumnNames { get; } = [.. QueueRows.Headers];
}
