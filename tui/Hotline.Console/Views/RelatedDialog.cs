#pragma warning disable CS0618 // TextView is marked obsolete in Terminal.Gui 2.5.0 but is its only scrollable read-only text view.
using Hotline.Console.Operations;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Contract.V1;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// The other requests from the same requester as the selected one, newest first, loaded a page
/// at a time without holding up the screen. Enter on one either hands it back to the queue
/// (<see cref="Chosen"/>), when some queue view can show it, or shows it here read-only; Esc
/// steps back, then closes.
/// </summary>
/// <remarks>
/// UI thread only. Pages are fetched off the UI thread and applied through
/// <see cref="IApplication.Invoke(Action)"/>; one that arrives after the dialog closed is dropped.
/// A page that failed because the link was down is asked for again when the watch stream reconnects.
/// </remarks>
internal sealed class RelatedDialog : Dialog
{
    private readonly IApplication _app;
    private readonly RelatedRequests _related;
    private readonly Func<HelpRequest, bool> _queueCanShow;
    private readonly QueueModel _model;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;
    private readonly Palette _palette;
    private readonly CancellationTokenSource _closing = new();
    private readonly Label _summary;
    private readonly TableView _table;
    private readonly TextView _detail;
    private readonly Label _hint;
    // Read by the fetch's continuation on a pool thread, to skip posting to a screen that has gone.
    private volatile bool _closed;

    /// <summary>The summary's width before the first layout: an 80-column screen less the dialog's margins and border.</summary>
    private const int SummaryWidth = 74;

    /// <param name="queueCanShow">True when the queue has the request loaded and a view that shows it.</param>
    public RelatedDialog(IApplication app, RelatedRequests related, Func<HelpRequest, bool> queueCanShow, QueueModel model, Palette palette,
        TimeProvider time, TimeZoneInfo zone)
    {
        _app = app;
        _related = related;
        _queueCanShow = queueCanShow;
        _model = model;
        _time = time;
        _zone = zone;
        _palette = palette;
        Title = RelatedRows.Title(related.Origin);
        Width = Dim.Fill(2);
        Height = Dim.Fill(1);
        SetScheme(palette.Dialog);

        _summary = new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1 };
        _table = new TableView
        {
            X = 0,
            Y = 1,
            Width = Dim.Fill(),
            Height = Dim.Fill(1),
            Table = new RelatedTableSource(related.Items, () => _time.GetUtcNow(), zone),
            FullRowSelect = true,
            MultiSelect = false,
            CollectionNavigator = null!,
        };
        _table.Style.ShowHorizontalHeaderOverline = false;
        _table.Style.ShowHorizontalBottomLine = false;
        _table.Style.ShowVerticalCellLines = false;
        _table.Style.ShowVerticalHeaderLines = false;
        _table.Style.AlwaysShowHeaders = true;
        _table.Style.ExpandLastColumn = true;
        var last = RelatedRows.MinWidths.Count - 1;
        for (var i = 0; i < RelatedRows.MinWidths.Count; i++)
        {
            _table.Style.ColumnStyles[i] = new ColumnStyle { MinWidth = RelatedRows.MinWidths[i], MaxWidth = i == last ? 200 : RelatedRows.MinWidths[i] };
        }
        _table.Style.ColumnStyles[0].Alignment = Alignment.End;
        // Home/End go to the first and last request (and loading more from there), not the first and last column.
        _table.KeyBindings.Remove(Key.Home);
        _table.KeyBindings.Add(Key.Home, Command.Start);
        _table.KeyBindings.Remove(Key.End);
        _table.KeyBindings.Add(Key.End, Command.End);
        _table.SetScheme(palette.Screen);
        _table.Accepting += (_, e) =>
        {
            // Enter picks a row here; it must not reach the dialog, which would close on it.
            e.Handled = true;
            Open();
        };
        _table.ValueChanged += (_, _) =>
        {
            if (SelectedRow is { } row && row == _related.Items.Count - 1)
            {
                LoadMore();
            }
        };

        _detail = new TextView { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(1), ReadOnly = true, WordWrap = true, Visible = false };
        _detail.SetScheme(palette.Screen);
        _hint = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1 };
        Add(_summary, _table, _detail, _hint);

        KeyDown += (_, key) =>
        {
            if (key == Key.Esc && _detail.Visible)
            {
                key.Handled = true;
                ShowList();
            }
        };
        _model.Changed += OnModelChanged;
        Refresh();
        LoadMore();
    }

    /// <summary>The request to show in the queue, when the operator picked one the queue can show.</summary>
    public HelpRequest? Chosen { get; private set; }

    public TableView Table => _table;

    /// <summary>The request shown read-only in place of the list, if any.</summary>
    public HelpRequest? Showing { get; private set; }

    private int? SelectedRow =>
        _table.Value is { } selection && selection.SelectedCell.Y >= 0 && selection.SelectedCell.Y < _related.Items.Count
            ? selection.SelectedCell.Y
            : null;

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

    private void Open()
    {
        if (_related.Status == RelatedLoad.Failed)
        {
            LoadMore();
            return;
        }
        if (SelectedRow is not { } row)
        {
            return;
        }
        var request = _related.Items[row];
        if (_queueCanShow(request))
        {
            Chosen = request;
            App?.RequestStop(this);
            return;
        }
        // Closed before today, or not loaded: no queue view has it, so it is shown here, as the server sent it.
        Showing = request;
        var why = request.State == RequestState.Closed ? "closed, so in no queue view" : "not in the queue";
        _detail.Text = $"#{request.Number} is {why}; shown here read-only.\n\n"
            + DetailText.Build(request, _model.DisplayName, _time.GetUtcNow(), _zone, earlierContactsKey: false);
        _table.Visible = false;
        _detail.Visible = true;
        _detail.SetFocus();
        Refresh();
    }

    private void ShowList()
    {
        Showing = null;
        _detail.Visible = false;
        _detail.Text = "";
        _table.Visible = true;
        _table.SetFocus();
        Refresh();
    }

    private void LoadMore()
    {
        if (_closed || !_related.TryBegin())
        {
            return;
        }
        Refresh();
        _ = FetchAsync();
    }

    private async Task FetchAsync()
    {
        var fetch = await _related.FetchAsync(_closing.Token).ConfigureAwait(false);
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
            _related.Apply(fetch);
            _table.Update();
            if (SelectedRow is null && _related.Items.Count > 0)
            {
                _table.SetSelection(0, 0, false);
            }
            Refresh();
        });
    }

    private void OnModelChanged(QueueDelta delta)
    {
        if (delta.ConnectionChanged && _model.Connection.State == LinkState.Connected && _related.Status == RelatedLoad.Failed
            && _related.FailureCode is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.DeadlineExceeded)
        {
            LoadMore();
        }
    }

    private void Refresh()
    {
        var failed = _related.Status == RelatedLoad.Failed;
        var summary = TextRows.Wrap(RelatedRows.Summary(_related.Origin.Number, _related.Status == RelatedLoad.Loading, _related.Items.Count,
            _related.TotalSize, _related.Failure), Viewport.Width > 0 ? Viewport.Width : SummaryWidth);
        // A refusal is read in full: it may take a second row from the list.
        var rows = summary.Count(c => c == '\n') + 1;
        _summary.Text = summary;
        _summary.Height = rows;
        _table.Y = rows;
        _detail.Y = rows;
        _summary.SetScheme(failed ? _palette.Refusal : _palette.Dialog);
        _hint.Text = RelatedRows.Hint(failed, _related.HasMore, Showing is not null);
        _table.Update();
    }
}
