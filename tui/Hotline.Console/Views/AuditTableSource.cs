using Hotline.Console.Presentation;
using Hotline.Contract.V1;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>The audit trail's rows: a live view over the pager's list, formatted on demand.</summary>
internal sealed class AuditTableSource(IReadOnlyList<AuditEvent> items, AuditRowContext context) : ITableSource
{
    private static readonly AuditColumn[] ColumnOrder = Enum.GetValues<AuditColumn>();

    public object this[int row, int col] => AuditRows.Cell(items[row], ColumnOrder[col], context);

    public int Rows => items.Count;

    public int Columns => ColumnOrder.Length;

    public string[] ColumnNames { get; } = [.. AuditRows.Headers];
}
