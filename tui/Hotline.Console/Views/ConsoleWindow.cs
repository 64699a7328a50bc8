#pragma warning disable CS0618 // TextView is marked obsolete in Terminal.Gui 2.5.0 but is its only scrollable read-only text view.
using Hotline.Console.Operations;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Contract.V1;
using Terminal.Gui.App;
using Terminal.Gui.Drawing;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// The operator's screen: the view line (what is shown, search), the live queue table, the
/// detail pane of the selected request, the action line (key hints, or the last outcome) and
/// the status line (who, link, revision). It renders the <see cref="QueueModel"/> and turns keys
/// into <see cref="RequestOperations"/>; it holds no queue state of its own.
/// </summary>
/// <remarks>UI thread only; the model it listens to is fed on the UI thread by the watch inbox.</remarks>
internal sealed class ConsoleWindow : Runnable
{
    private static readonly TimeSpan NoticeTime = TimeSpan.FromSeconds(10);

    private readonly QueueModel _model;
    private readonly RequestOperations _operations;
    private readonly NoteDrafts _drafts;
    private readonly Palette _palette;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;
    private readonly Action _ringBell;
    private readonly QueueTableSource _rows;
    private readonly Label _viewLine;
    private readonly TextField _search;
    private readonly TableView _table;
    private readonly FrameView _detailFrame;
    private readonly TextView _detail;
    private readonly Label _actionLine;
    private readonly Label _staleMark;
    private readonly Label _statusLine;
    private QueueFilter _filter = QueueFilter.Default;
    private (string Text, bool Ok, DateTimeOffset Until)? _notice;
    private object? _ticker;
    private int _openCount;
    private bool _zoomed;
    private bool _quitAllowed;
    private bool _panicked;
    private bool _busy;

    public ConsoleWindow(QueueModel model, RequestOperations operations, NoteDrafts drafts, Palette palette, TimeProvider time,
        TimeZoneInfo zone, bool bell, Action ringBell)
    {
        _model = model;
        _operations = operations;
        _drafts = drafts;
        _palette = palette;
        _time = time;
        _zone = zone;
        _ringBell = ringBell;
        BellOn = bell;
        CanFocus = true;
        SetScheme(palette.Screen);

        _viewLine = new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1 };
        _search = new TextField { X = 8, Y = 0, Width = 30, Visible = false };
        _search.ValueChanged += (_, _) => SetFilter(_filter with { Search = _search.Text });

        _rows = new QueueTableSource(() => _time.GetUtcNow());
        _table = new TableView
        {
            X = 0,
            Y = 1,
            Width = Dim.Fill(),
            Height = QueueHeight(),
            Table = _rows,
            FullRowSelect = true,
            MultiSelect = false,
            // Letters are the console's action keys, not type-to-find in the table.
            CollectionNavigator = null!,
        };
        TableLook.Apply(_table, QueueRows.MinWidths);
        _table.Style.ColumnStyles[0].Alignment = Alignment.End;
        _table.Style.RowColorGetter = args => args.RowIndex < _rows.Items.Count
            ? _rows.Items[args.RowIndex].Urgency switch
            {
                Urgency.ImmediateDanger => _palette.Danger,
                Urgency.Urgent => _palette.Urgent,
                _ => null,
            }
            : null;
        _table.ValueChanged += (_, _) => ShowDetail();
        _table.Accepted += (_, _) => ToggleZoom();

        _detailFrame = new FrameView { Title = "Request", X = 0, Y = Pos.Bottom(_table), Width = Dim.Fill(), Height = Dim.Fill(2) };
        _detail = new TextView { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(), ReadOnly = true, WordWrap = true };
        _detail.SetScheme(palette.Screen);
        _detailFrame.Add(_detail);

        _actionLine = new Label { X = 0, Y = Pos.AnchorEnd(2), Width = Dim.Fill(), Height = 1 };
        _staleMark = new Label { X = 0, Y = Pos.AnchorEnd(1), Height = 1, Text = "" };
        _staleMark.SetScheme(palette.Stale);
        _statusLine = new Label { X = Pos.Right(_staleMark), Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1 };

        Add(_viewLine, _search, _table, _detailFrame, _actionLine, _staleMark, _statusLine);
        FrameChanged += (_, _) => UpdateLines();
        _model.Changed += OnModelChanged;
        RebuildRows();
    }

    /// <summary>Ring the terminal bell when an urgent request arrives.</summary>
    public bool BellOn { get; private set; }

    /// <summary>Runs after the panic key: clears the terminal and ends the process (see Program).</summary>
    public Action? OnPanic { get; set; }

    public QueueFilter Filter => _filter;

    public IReadOnlyList<HelpRequest> VisibleRows => _rows.Items;

    public HelpRequest? Selected =>
        _table.Value is { } selection && selection.SelectedCell.Y >= 0 && selection.SelectedCell.Y < _rows.Items.Count
            ? _rows.Items[selection.SelectedCell.Y]
            : null;

    public TableView Table => _table;

    /// <summary>
    /// Hooks the window to its application: the one-second tick (ages, countdowns, notices), the
    /// screen's keys, and the keys that must work everywhere, even inside a dialog (F12 panic).
    /// </summary>
    public void Attach(IApplication app)
    {
        _ticker = app.AddTimeout(TimeSpan.FromSeconds(1), () =>
        {
            Tick();
            return true;
        });
        app.Keyboard.KeyDown += (_, key) =>
        {
            if (key == Key.F12)
            {
                key.Handled = true;
                Panic();
            }
            else if (app.TopRunnable == this && key == Key.Esc)
            {
                // Esc is Terminal.Gui's quit key; on this screen it only steps back (search, zoom).
                // Dialogs are not this screen, so there Esc still cancels.
                key.Handled = true;
                Escape();
            }
            else if (app.TopRunnable == this && HandleKey(key))
            {
                // Taken before any view sees it: whichever pane has focus (even the read-only
                // detail, which would swallow letters), the action keys do the same thing.
                key.Handled = true;
            }
        };
    }

    /// <summary>Quits, asking first only when a note is being written.</summary>
    public void RequestQuit()
    {
        if (_drafts.Count > 0 && App is { } app)
        {
            using var confirm = new ConfirmDialog("Quit", "A note you were writing has not been saved.\nQuit and lose it?", "_Quit", _palette);
            app.Run(confirm);
            if (!confirm.Confirmed || _panicked)
            {
                return;
            }
        }
        _quitAllowed = true;
        RequestStop();
    }

    /// <summary>The panic key: nothing sensitive stays on screen, every dialog closes, and the process exits.</summary>
    public void Panic()
    {
        _panicked = true;
        _quitAllowed = true;
        _rows.Items = [];
        _table.Update();
        _detail.Text = "";
        _detailFrame.Title = "";
        _viewLine.Text = "";
        _actionLine.Text = "";
        _statusLine.Text = "";
        _search.Text = "";
        if (App?.SessionStack is { } sessions)
        {
            foreach (var session in sessions)
            {
                session.Runnable?.RequestStop();
            }
        }
        OnPanic?.Invoke();
    }

    protected override bool OnIsRunningChanging(bool oldIsRunning, bool newIsRunning)
    {
        // Only RequestQuit (q) and the panic key end the console: any other stop request (a quit
        // key this window did not intercept) is refused, so no stray key closes it mid-shift.
        if (oldIsRunning && !newIsRunning && StopRequested && !_quitAllowed)
        {
            StopRequested = false;
            return true;
        }
        return base.OnIsRunningChanging(oldIsRunning, newIsRunning);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _model.Changed -= OnModelChanged;
            if (_ticker is not null)
            {
                App?.RemoveTimeout(_ticker);
            }
        }
        base.Dispose(disposing);
    }

    private bool HandleKey(Key key)
    {
        if (_panicked)
        {
            return true;
        }
        if (_search.HasFocus)
        {
            if (key == Key.Enter)
            {
                _table.SetFocus();
                return true;
            }
            return false;
        }
        if (key == Key.F1)
        {
            ShowHelp();
            return true;
        }
        if (key == Key.Q.WithCtrl)
        {
            RequestQuit();
            return true;
        }
        if (key.IsCtrl || key.IsAlt || !key.TryGetPrintableRune(out var rune) || rune.Value > char.MaxValue)
        {
            return false;
        }
        switch ((char)rune.Value)
        {
            case '?':
                ShowHelp();
                return true;
            case 'q':
                RequestQuit();
                return true;
            case '/':
                StartSearch();
                return true;
            case 'f':
                ShowFilter();
                return true;
            case '1':
                SetFilter(_filter with { Scope = QueueScope.Open });
                return true;
            case '2':
                SetFilter(_filter with { Scope = QueueScope.Mine });
                return true;
            case '3':
                SetFilter(_filter with { Scope = QueueScope.Unassigned });
                return true;
            case '4':
                SetFilter(_filter with { Scope = QueueScope.ClosedToday });
                return true;
            case 'b':
                BellOn = !BellOn;
                Notify(BellOn ? "Bell on for new urgent requests." : "Bell off.", ok: true);
                return true;
            case 'a':
                Act(async r => await _operations.ClaimAsync(r));
                return true;
            case 'A':
                Act(AssignAsync);
                return true;
            case 'r':
                Act(async r => await _operations.ReleaseAsync(r));
                return true;
            case 'n':
                Act(NoteAsync);
                return true;
            case 'u':
                Act(TriageAsync);
                return true;
            case 'c':
                Act(CloseAsync);
                return true;
            case 'o':
                Act(ReopenAsync);
                return true;
            case 'e':
                ShowRelated();
                return true;
            case 't':
                ShowAudit();
                return true;
            default:
                return false;
        }
    }

    /// <summary>Runs one action on the selected request; one at a time, so a double key press cannot send twice.</summary>
    private async void Act(Func<HelpRequest, Task<ActionOutcome?>> action)
    {
        if (_busy || Selected is not { } request)
        {
            if (!_busy)
            {
                Notify("Select a request first.", ok: false);
            }
            return;
        }
        _busy = true;
        try
        {
            var outcome = await action(request);
            if (outcome is not null && !_panicked)
            {
                Notify(outcome.Message, outcome.Succeeded);
            }
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // An unexpected failure must not take the console down mid-shift; its type is enough to report.
            Notify($"That did not work ({error.GetType().Name}). Nothing was lost; try again.", ok: false);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task<ActionOutcome?> AssignAsync(HelpRequest request)
    {
        var people = _model.Operators.Where(o => o.Role >= OperatorRole.Operator && !o.Disabled).ToList();
        if (people.Count == 0)
        {
            return ActionOutcome.Refused("No operator list yet: the console is not connected.");
        }
        using var dialog = new AssignDialog(request.Number, people, request.Assignee, _palette);
        App!.Run(dialog);
        return dialog.Chosen is { } chosen && !_panicked ? await _operations.AssignAsync(request, chosen) : null;
    }

    private async Task<ActionOutcome?> NoteAsync(HelpRequest request)
    {
        using var dialog = new NoteDialog(request.Number, _drafts.Find(request.Name)?.Text ?? "", _palette);
        App!.Run(dialog);
        var draft = _drafts.Keep(request.Name, dialog.NoteText);
        ShowDetail();
        if (_panicked)
        {
            return null;
        }
        if (dialog.QuitRequested)
        {
            RequestQuit();
            return null;
        }
        if (draft is null || !dialog.Saved)
        {
            return draft is null ? null : ActionOutcome.Done($"Draft note for #{request.Number} kept; press n to go on with it.");
        }
        var outcome = await _operations.AddNoteAsync(request, draft.Text, draft.RequestId);
        if (outcome.Succeeded)
        {
            _drafts.Forget(request.Name);
            ShowDetail();
            return outcome;
        }
        return ActionOutcome.Refused(outcome.Message + " Your note is kept as a draft (n).");
    }

    private async Task<ActionOutcome?> TriageAsync(HelpRequest request)
    {
        using var dialog = new TriageDialog(request, _palette);
        App!.Run(dialog);
        return dialog.Saved && !_panicked ? await _operations.TriageAsync(request, dialog.ChosenUrgency, dialog.ChosenTags) : null;
    }

    private async Task<ActionOutcome?> CloseAsync(HelpRequest request)
    {
        using var dialog = new CloseDialog(request.Number, _palette);
        App!.Run(dialog);
        return dialog.Confirmed && !_panicked
            ? await _operations.CloseAsync(request, dialog.ChosenResolution, dialog.Comment.Text.Trim())
            : null;
    }

    private async Task<ActionOutcome?> ReopenAsync(HelpRequest request)
    {
        using var dialog = new ReopenDialog(request.Number, _palette);
        App!.Run(dialog);
        return dialog.Confirmed && !_panicked ? await _operations.ReopenAsync(request, dialog.Comment.Text.Trim()) : null;
    }

    /// <summary>
    /// The other requests from the same requester. One the queue can show is selected there,
    /// switching to all open or closed today if the current view hides it; others the dialog
    /// shows read-only itself.
    /// </summary>
    private void ShowRelated()
    {
        if (Selected is not { } request || App is not { } app)
        {
            Notify("Select a request first.", ok: false);
            return;
        }
        if (request.ContactHandle.Length == 0)
        {
            // The server links requests by their handle: without one there is nothing to ask for.
            Notify($"#{request.Number} came without a contact handle, so no other request is linked to it.", ok: false);
            return;
        }
        using var dialog = new RelatedDialog(app, _operations.Related(request), r => ViewShowing(r) is not null, _model, _palette, _time, _zone);
        app.Run(dialog);
        if (dialog.Chosen is { } chosen && !_panicked)
        {
            JumpTo(chosen);
        }
    }

    /// <summary>
    /// The audit trail of the selected request. Only supervisors and admins may read it: anyone
    /// else is told so at once, without a call the server would refuse (and audit) anyway.
    /// </summary>
    private void ShowAudit()
    {
        if (Selected is not { } request || App is not { } app)
        {
            Notify("Select a request first.", ok: false);
            return;
        }
        if (!AuditRows.MayRead(_model.Me))
        {
            Notify(AuditRows.NotForYou(_model.Me), ok: false);
            return;
        }
        using var dialog = new AuditDialog(app, _operations.Audit(request), _model, _palette, _zone);
        app.Run(dialog);
    }

    /// <summary>The current view if it shows <paramref name="request"/>, else all open or closed today; null when none does or it is not loaded.</summary>
    private QueueFilter? ViewShowing(HelpRequest request)
    {
        if (_model.Find(request.Name) is not { } loaded)
        {
            return null;
        }
        var startOfToday = StartOfToday(_time.GetUtcNow());
        QueueFilter[] views = [_filter, QueueFilter.Default, new QueueFilter(QueueScope.ClosedToday)];
        return views.FirstOrDefault(view => view.Matches(loaded, _model.Me?.Name, startOfToday));
    }

    private void JumpTo(HelpRequest request)
    {
        if (ViewShowing(request) is not { } view)
        {
            return;
        }
        if (view != _filter)
        {
            if (_search.Visible)
            {
                _search.Visible = false;
                _search.Text = "";
            }
            SetFilter(view);
            Notify($"Showing #{request.Number}: the view is now {FilterSummary.Describe(view)}.", ok: true);
        }
        var row = _rows.Items.FindIndex(r => r.Name == request.Name);
        if (row < 0)
        {
            return;
        }
        _table.SetSelection(0, row, false);
        _table.EnsureCursorIsVisible();
        ShowDetail();
        if (!_zoomed)
        {
            _table.SetFocus();
        }
    }

    private void ShowHelp()
    {
        using var dialog = new HelpDialog(_palette);
        App?.Run(dialog);
    }

    private void ShowFilter()
    {
        using var dialog = new FilterDialog(_filter, _palette);
        App?.Run(dialog);
        if (dialog.Apply(_filter) is { } filter && !_panicked)
        {
            SetFilter(filter);
        }
    }

    private void StartSearch()
    {
        _search.Visible = true;
        _search.SetFocus();
        UpdateLines();
    }

    /// <summary>Esc without quitting: leave the search, then the zoomed detail.</summary>
    private void Escape()
    {
        if (_search.Visible)
        {
            _search.Text = "";
            _search.Visible = false;
            _table.SetFocus();
            SetFilter(_filter with { Search = "" });
        }
        else if (_zoomed)
        {
            ToggleZoom();
        }
    }

    private void ToggleZoom()
    {
        _zoomed = !_zoomed;
        _table.Height = _zoomed ? 0 : QueueHeight();
        _table.Visible = !_zoomed;
        if (_zoomed)
        {
            _detail.SetFocus();
        }
        else
        {
            _table.SetFocus();
        }
    }

    private void SetFilter(QueueFilter filter)
    {
        _filter = filter;
        RebuildRows();
    }

    private void OnModelChanged(QueueDelta delta)
    {
        if (_panicked)
        {
            return;
        }
        if (delta.RequestsChanged)
        {
            RebuildRows();
        }
        else
        {
            UpdateLines();
        }
        var alarming = delta.Created.Where(r => r.Urgency >= Urgency.Urgent).OrderByDescending(r => r.Urgency).FirstOrDefault();
        if (alarming is not null)
        {
            // A refusal the operator has not read yet stays; the row itself and the bell announce the arrival.
            if (_notice is not { Ok: false })
            {
                Notify($"New {Labels.UrgencyLong(alarming.Urgency)} request #{alarming.Number} ({Labels.ChannelLong(alarming.Channel)}).",
                    ok: alarming.Urgency != Urgency.ImmediateDanger);
            }
            if (BellOn)
            {
                _ringBell();
            }
        }
    }

    /// <summary>Re-filters and re-sorts after a batch, keeping the selection on the same request.</summary>
    private void RebuildRows()
    {
        var selectedName = Selected?.Name;
        var previousRow = _table.Value?.SelectedCell.Y ?? 0;
        var now = _time.GetUtcNow();
        _rows.Items = QueueRows.Select(_model.Requests, _filter, _model.Me?.Name, StartOfToday(now));
        _openCount = _model.Requests.Count(r => r.State != RequestState.Closed);
        _table.Update();
        if (_rows.Items.Count > 0)
        {
            var row = selectedName is null ? -1 : _rows.Items.FindIndex(r => r.Name == selectedName);
            row = row >= 0 ? row : Math.Clamp(previousRow, 0, _rows.Items.Count - 1);
            if (row != _table.Value?.SelectedCell.Y)
            {
                _table.SetSelection(0, row, false);
                _table.EnsureCursorIsVisible();
            }
        }
        ShowDetail();
        UpdateLines();
    }

    private void ShowDetail()
    {
        var request = Selected;
        string text;
        if (request is null)
        {
            _detailFrame.Title = "Request";
            text = _model.Loaded ? "Nothing in this view. Keys 1-4 switch views; f filters; / searches." : "Loading the queue…";
        }
        else
        {
            var draft = _drafts.Find(request.Name) is null ? "" : " · draft note (n)";
            _detailFrame.Title = $"#{request.Number}{draft}";
            text = DetailText.Build(request, _model.DisplayName, _time.GetUtcNow(), _zone);
        }
        if (_detail.Text != text)
        {
            _detail.Text = text;
        }
    }

    private void Notify(string text, bool ok)
    {
        _notice = (text, ok, _time.GetUtcNow() + NoticeTime);
        UpdateLines();
    }

    /// <summary>The one-second tick: ages, countdowns, notice expiry. Internal so tests can drive it with fake time.</summary>
    internal void Tick()
    {
        if (_panicked)
        {
            return;
        }
        if (_notice is { } notice && _time.GetUtcNow() >= notice.Until)
        {
            _notice = null;
        }
        _table.SetNeedsDraw();
        UpdateLines();
    }

    private void UpdateLines()
    {
        if (_panicked)
        {
            return;
        }
        var width = Math.Max(Frame.Width, 20);
        var now = _time.GetUtcNow();
        var viewHints = Keys.HintLine(HintPlace.View, width);
        var view = "View: " + FilterSummary.Describe(_filter);
        if (_search.Visible)
        {
            view = "Search:";
            _search.X = view.Length + 1;
            _search.Width = Math.Max(10, width - view.Length - viewHints.Length - 3);
        }
        _viewLine.Text = view.Length + viewHints.Length + 1 <= width
            ? view + new string(' ', width - view.Length - viewHints.Length) + viewHints
            : view;

        var actionText = _notice is { } notice ? TextRows.Wrap(notice.Text, width) : Keys.HintLine(HintPlace.Actions, width);
        _actionLine.SetScheme(_notice is null ? _palette.Screen : _notice.Value.Ok ? _palette.Success : _palette.Refusal);
        var actionRows = actionText.Count(c => c == '\n') + 1;
        if (_actionLine.Text != actionText)
        {
            _actionLine.Text = actionText;
            // A refusal is read in full: it may take a second row from the detail pane.
            _actionLine.Height = actionRows;
            _actionLine.Y = Pos.AnchorEnd(1 + actionRows);
            _detailFrame.Height = Dim.Fill(1 + actionRows);
        }

        var link = _model.Connection;
        _staleMark.Text = link.IsStale ? " STALE " : "";
        var status = StatusLine.Format(_model.Me, link, _model.Revision, _rows.Items.Count, _openCount, BellOn, now, _zone);
        var panic = " │ " + Keys.HintLine(HintPlace.Status, width);
        _statusLine.Text = status.Length + panic.Length + _staleMark.Text.Length <= width ? status + panic : status;
    }

    /// <summary>About half the rows between the view line and the two bottom lines: 11 of 24.</summary>
    private Dim QueueHeight() => Dim.Func(_ => Math.Max(4, ((Viewport.Height - 3) / 2) + 1));

    private DateTimeOffset StartOfToday(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, _zone);
        return new DateTimeOffset(local.Date, local.Offset);
    }
}
