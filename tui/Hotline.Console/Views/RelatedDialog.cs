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
/// <remarks>UI thread only; paging, late answers and reconnects as <see cref="PagedListDialog{T}"/>.</remarks>
internal sealed class RelatedDialog : PagedListDialog<HelpRequest>
{
    private readonly RelatedRequests _related;
    private readonly Func<HelpRequest, bool> _queueCanShow;
    private readonly QueueModel _model;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;
    private readonly TextView _detail;

    /// <param name="queueCanShow">True when the queue has the request loaded and a view that shows it.</param>
    public RelatedDialog(IApplication app, RelatedRequests related, Func<HelpRequest, bool> queueCanShow, QueueModel model, Palette palette,
        TimeProvider time, TimeZoneInfo zone)
        : base(app, related, model, palette, RelatedRows.Title(related.Origin), new RelatedTableSource(related.Items, time.GetUtcNow, zone),
            RelatedRows.MinWidths)
    {
        _related = related;
        _queueCanShow = queueCanShow;
        _model = model;
        _time = time;
        _zone = zone;
        Table.Style.ColumnStyles[0].Alignment = Alignment.End;

        _detail = new TextView { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(1), ReadOnly = true, WordWrap = true, Visible = false };
        _detail.SetScheme(palette.Screen);
        Add(_detail);

        KeyDown += (_, key) =>
        {
            if (key == Key.Esc && _detail.Visible)
            {
                key.Handled = true;
                ShowList();
            }
        };
        Start();
    }

    /// <summary>The request to show in the queue, when the operator picked one the queue can show.</summary>
    public HelpRequest? Chosen { get; private set; }

    /// <summary>The request shown read-only in place of the list, if any.</summary>
    public HelpRequest? Showing { get; private set; }

    protected override string SummaryText() =>
        RelatedRows.Summary(_related.Origin.Number, _related.Status == PageLoad.Loading, _related.Items.Count, _related.TotalSize ?? 0,
            _related.Failure);

    protected override string HintText() => RelatedRows.Hint(_related.Status == PageLoad.Failed, _related.HasMore, Showing is not null);

    protected override void PlaceUnderSummary(int rows) => _detail.Y = rows;

    protected override void Accept()
    {
        if (_related.Status == PageLoad.Failed)
        {
            base.Accept();
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
        Table.Visible = false;
        _detail.Visible = true;
        _detail.SetFocus();
        Refresh();
    }

    private void ShowList()
    {
        Showing = null;
        _detail.Visible = false;
        _detail.Text = "";
        Table.Visible = true;
        Table.SetFocus();
        Refresh();
    }
}
