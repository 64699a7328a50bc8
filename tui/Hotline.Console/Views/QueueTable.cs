using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Contract.V1;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// The queue table kept in step with the <see cref="QueueModel"/>: which requests the current
/// view shows, in order, with the selection staying on the same request while rows come and go,
/// and the moves the navigation keys make. It holds no queue state of its own beyond the rows it shows.
/// </summary>
/// <remarks>UI thread only, like the model it reads.</remarks>
internal sealed class QueueTable
{
    /// <summary>More changes than this in one batch re-sort the rows rather than place each one.</summary>
    private const int MaxChangesPlacedOneByOne = 256;

    private readonly QueueModel _model;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;
    private readonly QueueTableSource _rows;

    public QueueTable(QueueModel model, Palette palette, TimeProvider time, TimeZoneInfo zone)
    {
        _model = model;
        _time = time;
        _zone = zone;
        _rows = new QueueTableSource(() => _time.GetUtcNow());
        View = new TableView
        {
            X = 0,
            Y = 1,
            Width = Dim.Fill(),
            Table = _rows,
            FullRowSelect = true,
            MultiSelect = false,
            // Letters are the console's action keys, not type-to-find in the table.
            CollectionNavigator = null!,
        };
        TableLook.Apply(View, QueueRows.MinWidths);
        View.Style.ColumnStyles[0].Alignment = Alignment.End;
        View.Style.RowColorGetter = args => args.RowIndex < _rows.Items.Count
            ? _rows.Items[args.RowIndex].Urgency switch
            {
                Urgency.ImmediateDanger => palette.Danger,
                Urgency.Urgent => palette.Urgent,
                _ => null,
            }
            : null;
        // After a resize (or the detail pane changing size) the selected row must still be on screen.
        View.FrameChanged += (_, _) => View.EnsureCursorIsVisible();
    }

    public TableView View { get; }

    /// <summary>What the table shows; <see cref="Rebuild"/> applies a new one.</summary>
    public QueueFilter Filter { get; private set; } = QueueFilter.Default;

    /// <summary>The requests shown, in order.</summary>
    public IReadOnlyList<HelpRequest> Rows => _rows.Items;

    public HelpRequest? Selected =>
        View.Value is { } selection && selection.SelectedCell.Y >= 0 && selection.SelectedCell.Y < _rows.Items.Count
            ? _rows.Items[selection.SelectedCell.Y]
            : null;

    /// <summary>Columns the message column gets at <paramref name="width"/>: what the fixed columns leave.</summary>
    public void FitMessageTo(int width) =>
        _rows.MessageWidth = width - QueueRows.MinWidths.Take(QueueRows.MinWidths.Count - 1).Sum() - (QueueRows.MinWidths.Count - 1);

    /// <summary>Local midnight now, for "closed today".</summary>
    private DateTimeOffset StartOfToday() => QueueFilter.StartOfToday(_time.GetUtcNow(), _zone);

    /// <summary>The current view if it shows <paramref name="request"/>, else all open or closed today; null when none does or it is not loaded.</summary>
    public QueueFilter? ViewShowing(HelpRequest request)
    {
        if (_model.Find(request.Name) is not { } loaded)
        {
            return null;
        }
        var startOfToday = StartOfToday();
        QueueFilter[] views = [Filter, QueueFilter.Default, new QueueFilter(QueueScope.ClosedToday)];
        return views.FirstOrDefault(view => view.Matches(loaded, _model.Me?.Name, startOfToday));
    }

    /// <summary>Re-filters and re-sorts every request: after a snapshot, a new filter or a burst.</summary>
    public void Rebuild(QueueFilter filter)
    {
        Filter = filter;
        var selectedName = Selected?.Name;
        var previousRow = View.Value?.SelectedCell.Y ?? 0;
        _rows.List.Reset(_model.Requests, filter, _model.Me?.Name, StartOfToday());
        RowsChanged(selectedName, previousRow);
    }

    /// <summary>
    /// Follows one batch of the model's changes: only the changed rows move, each by binary search,
    /// unless the batch reloaded, is large, or the day or the operator changed.
    /// </summary>
    public void Follow(QueueDelta delta)
    {
        if (delta.Reloaded || delta.ChangedNames.Count > MaxChangesPlacedOneByOne || !_rows.List.IsFor(_model.Me?.Name, StartOfToday()))
        {
            Rebuild(Filter);
            return;
        }
        if (delta.ChangedNames.Count == 0)
        {
            return;
        }
        var selectedName = Selected?.Name;
        var previousRow = View.Value?.SelectedCell.Y ?? 0;
        foreach (var name in delta.ChangedNames)
        {
            _rows.List.Update(name, _model.Find(name));
        }
        RowsChanged(selectedName, previousRow);
    }

    /// <summary>Selects the row of <paramref name="name"/>; false when the view does not show it.</summary>
    public bool Select(string name)
    {
        var row = _rows.List.IndexOf(name);
        if (row < 0)
        {
            return false;
        }
        View.SetSelection(0, row, false);
        View.EnsureCursorIsVisible();
        return true;
    }

    public void MoveBy(int rows) => MoveTo((View.Value?.SelectedCell.Y ?? 0) + rows);

    /// <summary>Half the rows the table shows, down (1) or up (-1).</summary>
    public void MoveHalfPage(int direction) => MoveBy(direction * Math.Max(1, (View.Viewport.Height - 2) / 2));

    public void MoveToLast() => MoveTo(_rows.Items.Count - 1);

    public void MoveTo(int row)
    {
        if (_rows.Items.Count == 0)
        {
            return;
        }
        View.SetSelection(0, Math.Clamp(row, 0, _rows.Items.Count - 1), false);
        View.EnsureCursorIsVisible();
    }

    /// <summary>The panic key: no row stays on screen.</summary>
    public void Clear()
    {
        _rows.List.Reset([], QueueFilter.Default, null, default);
        View.Update();
    }

    /// <summary>Redraws the table after its rows changed, keeping the selection on the same request.</summary>
    private void RowsChanged(string? selectedName, int previousRow)
    {
        View.Update();
        if (_rows.Items.Count > 0)
        {
            var row = selectedName is null ? -1 : _rows.List.IndexOf(selectedName);
            row = row >= 0 ? row : Math.Clamp(previousRow, 0, _rows.Items.Count - 1);
            if (row != View.Value?.SelectedCell.Y)
            {
                View.SetSelection(0, row, false);
                View.EnsureCursorIsVisible();
            }
        }
    }
}
