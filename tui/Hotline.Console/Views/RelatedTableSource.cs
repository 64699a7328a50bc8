using Hotline.Console.Presentation;
using Hotline.Contract.V1;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>The related-requests table's rows: a live view over the pager's list, formatted on demand.</summary>
internal sealed class RelatedTableSource(IReadOnlyList<HelpRequest> items, Func<DateTimeOffset> now, TimeZoneInfo zone) : ITableSource
{
    private static readonly RelatedColumn[] ColumnOrder = Enum.GetValues<RelatedColumn>();

    public object this[int row, int col] => RelatedRows.Cell(items[row], ColumnOrder[col], now(), zone);

    public int Rows => items.Count;

    public int Columns => ColumnOrder.Length;

    public string[] ColumnNames { get; } = [.. RelatedRows.Headers];
}
