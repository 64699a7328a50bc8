using Hotline.Console.Operations;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// A dialog listing what the server hands out a page at a time: a summary line (loading, how
/// many, or the refusal in full), the table, and a hint line. The next page loads when the
/// selection reaches the last row; Enter after a failure asks again; Esc closes.
/// </summary>
/// <remarks>
/// UI thread only. Pages are fetched off the UI thread and applied through
/// <see cref="IApplication.Invoke(Action)"/>; one that arrives after the dialog closed (Esc, the
/// panic key) is dropped. A page that failed because the link was down is asked for again when
/// the watch stream reconnects. A subclass calls <see cref="Start"/> at the end of its constructor.
/// </remarks>
internal abstract class PagedListDialog<T> : Dialog
{
    /// <summary>The summary's width before the first layout: an 80-column screen less the dialog's margins and border.</summary>
    private const int SummaryWidth = 74;

    private readonly IApplication _app;
    private readonly PagedList<T> _pages;
    private readonly QueueModel _model;
    private readonly Palette _palette;
    private readonly CancellationTokenSource _closing = new();
    private readonly Label _summary;
    private readonly Label _hint;
    // Read by the fetch's continuation on a pool thread, to skip posting to a screen that has gone.
    private volatile bool _closed;

    /// <param name="rows">The table's rows: a live view over <paramref name="pages"/>' items.</param>
    /// <param name="minWidths">Pinned column widths; the last column takes what is left.</param>
    protected PagedListDialog(IApplication app, PagedList<T> pages, QueueModel model, Palette palette, string title, ITableSource rows,
        IReadOnlyList<int> minWidths)
    {
        _app = app;
        _pages = pages;
        _model = model;
        _palette = palette;
        Title = title;
        Width = Dim.Fill(2);
        Height = Dim.Fill(1);
        palette.Dress(this);

        _summary = new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1 };
        Table = new TableView
        {
            X = 0,
            Y = 1,
            Width = Dim.Fill(),
            Height = Dim.Fill(1),
            Table = rows,
            FullRowSelect = true,
            MultiSelect = false,
            CollectionNavigator = null!,
        };
        TableLook.Apply(Table, minWidths);
        Table.SetScheme(palette.Screen);
        Table.Accepting += (_, e) =>
        {
            // Enter picks a row here; it must not reach the dialog, which would close on it.
            e.Handled = true;
            Accept();
        };
        Table.ValueChanged += (_, _) =>
        {
            if (SelectedRow is { } row && row == _pages.Items.Count - 1)
            {
                LoadMore();
            }
        };

        _hint = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1 };
        Add(_summary, Table, _hint);
        _model.Changed += OnModelChanged;
    }

    public TableView Table { get; }

    protected int? SelectedRow =>
        Table.Value is { } selection && selection.SelectedCell.Y >= 0 && selection.SelectedCell.Y < _pages.Items.Count
            ? selection.SelectedCell.Y
            : null;

    /// <summary>The line above the table, from the list's current state.</summary>
    protected abstract string SummaryText();

    /// <summary>The line under the table.</summary>
    protected abstract string HintText();

    /// <summary>Enter on the table. After a failure it asks for the page again; a subclass may open the selected row otherwise.</summary>
    protected virtual void Accept()
    {
        if (_pages.Status == PageLoad.Failed)
        {
            LoadMore();
        }
    }

    /// <summary>The summary now takes <paramref name="rows"/> rows: views a subclass placed under it follow.</summary>
    protected virtual void PlaceUnderSummary(int rows)
    {
    }

    /// <summary>Shows the first state and asks for the first page.</summary>
    protected void Start()
    {
        Refresh();
        LoadMore();
    }

    protected void LoadMore()
    {
        if (_closed || !_pages.TryBegin())
        {
            return;
        }
        Refresh();
        _ = FetchAsync();
    }

    protected void Refresh()
    {
        var failed = _pages.Status == PageLoad.Failed;
        var summary = TextRows.Wrap(SummaryText(), Viewport.Width > 0 ? Viewport.Width : SummaryWidth);
        // A refusal is read in full: it may take a second row from the list.
        var rows = summary.Count(c => c == '\n') + 1;
        _summary.Text = summary;
        _summary.Height = rows;
        Table.Y = rows;
        PlaceUnderSummary(rows);
        _summary.SetScheme(failed ? _palette.Refusal : _palette.Dialog);
        _hint.Text = HintText();
        Table.Update();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            _model.Changed -= OnModelChanged;
            _closing.Cancel();
            _closing.Dispose();
        }
        base.Dispose(disposing);
    }

    private async Task FetchAsync()
    {
        var fetch = await _pages.FetchAsync(_closing.Token).ConfigureAwait(false);
        if (_closed)
        {
            return;
        }
        _app.Invoke(() =>
        {
            if (_closed)
            {
                return;
            }
            _pages.Apply(fetch);
            Table.Update();
            if (SelectedRow is null && _pages.Items.Count > 0)
            {
                Table.SetSelection(0, 0, false);
            }
            Refresh();
        });
    }

    private void OnModelChanged(QueueDelta delta)
    {
        if (delta.ConnectionChanged && _model.Connection.State == LinkState.Connected && _pages.FailedOnTheLink)
        {
            LoadMore();
        }
    }
}
