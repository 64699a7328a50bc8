#pragma warning disable CS0618 // TextView is marked obsolete in Terminal.Gui 2.5.0 but is its only scrollable read-only text view.
using Hotline.Console.Actions;
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
/// detail pane of the selected request, and at the bottom the alert line (live events, or the
/// offline banner; only while there is one), the result line (the outcome of the operator's own
/// last action, until the next one), the hint line and the status line (who, link, revision).
/// It renders the <see cref="QueueModel"/> and holds no queue state of its own. Every key goes
/// through the <see cref="Keys"/> table, which calls it as an <see cref="IOperatorScreen"/>; the
/// action flows in <c>Actions/</c> do the work and touch the screen only as an <see cref="IActionScreen"/>.
/// </summary>
/// <remarks>UI thread only; the model it listens to is fed on the UI thread by the watch inbox.</remarks>
internal sealed class ConsoleWindow : Runnable, IOperatorScreen, IActionScreen
{
    /// <summary>How long a live event (a new urgent request, a takeover) stays on the alert line.</summary>
    private static readonly TimeSpan AlertTime = TimeSpan.FromSeconds(30);

    /// <summary>Rows the detail pane keeps when shrunk with d.</summary>
    private const int SmallDetailRows = 6;

    private readonly QueueModel _model;
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
    private readonly Label _alertLine;
    private readonly Label _resultLine;
    private readonly Label _hintLine;
    private readonly Label _statusLine;
    private QueueFilter _filter = QueueFilter.Default;
    private (string Text, bool Ok)? _result;
    private (string Text, bool Danger, DateTimeOffset Until)? _alert;
    private object? _ticker;
    private bool _zoomed;
    private DetailSize _detailSize;
    private bool _quitAllowed;
    private bool _panicked;
    private readonly ActionRunner _runner;
    private readonly ClaimFlow _claim;
    private readonly AssignFlow _assign;
    private readonly ReleaseFlow _release;
    private readonly NoteFlow _note;
    private readonly TriageFlow _triage;
    private readonly CloseFlow _close;
    private readonly ReopenFlow _reopen;
    private readonly RelatedFlow _related;
    private readonly AuditFlow _audit;
    private readonly FilterFlow _filterFlow;
    private readonly QuitFlow _quit;
    private readonly QueueJumps _jumps;
    private readonly HeldRequests _held;

    /// <summary>Rows under the detail pane: status and hints, plus the result and alert lines while shown.</summary>
    private int _bottomRows = 2;

    public ConsoleWindow(QueueModel model, RequestOperations operations, NoteDrafts drafts, Palette palette, TimeProvider time,
        TimeZoneInfo zone, bool bell, Action ringBell)
    {
        _model = model;
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

        _alertLine = new Label { X = 0, Y = Pos.AnchorEnd(3), Width = Dim.Fill(), Height = 1, Visible = false };
        _resultLine = new Label { X = 0, Y = Pos.AnchorEnd(2), Width = Dim.Fill(), Height = 1, Visible = false };
        _hintLine = new Label { X = 0, Y = Pos.AnchorEnd(2), Width = Dim.Fill(), Height = 1 };
        _statusLine = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1 };

        Add(_viewLine, _search, _table, _detailFrame, _alertLine, _resultLine, _hintLine, _statusLine);
        FrameChanged += (_, _) => UpdateLines();
        // After a resize (or the detail pane changing size) the selected row must still be on screen.
        _table.FrameChanged += (_, _) => _table.EnsureCursorIsVisible();
        _model.Changed += OnModelChanged;

        _held = new HeldRequests(model, drafts);
        _runner = new ActionRunner(this, () =>
        {
            _result = null;
            UpdateLines();
        }, () => _held.Remember());
        _quit = new QuitFlow(drafts, model, palette, this);
        _jumps = new QueueJumps(model, this);
        var takeover = new TakeoverQuestion(model, palette, this);
        _claim = new ClaimFlow(operations, takeover);
        _release = new ReleaseFlow(operations, takeover);
        _assign = new AssignFlow(model, operations, palette, this);
        _note = new NoteFlow(drafts, operations, palette, this);
        _triage = new TriageFlow(operations, palette, this);
        _close = new CloseFlow(operations, palette, this);
        _reopen = new ReopenFlow(operations, palette, this);
        _related = new RelatedFlow(operations, model, palette, time, zone, this);
        _audit = new AuditFlow(operations, model, palette, zone, this);
        _filterFlow = new FilterFlow(palette, this);
        RebuildRows();
    }

    /// <summary>More changes than this in one batch re-sort the rows rather than place each one.</summary>
    private const int MaxChangesPlacedOneByOne = 256;

    /// <summary>How much of the screen the detail pane takes (d cycles).</summary>
    private enum DetailSize
    {
        Half,
        Small,
        Hidden,
    }

    /// <summary>Ring the terminal bell when an urgent request arrives.</summary>
    public bool BellOn { get; private set; }

    /// <summary>Runs after the panic key: clears the terminal and ends the process (see Program).</summary>
    public Action? OnPanic { get; set; }

    /// <summary>Asks the watch loop to reconnect now rather than after its backoff (key R).</summary>
    public Action? OnRetryNow { get; set; }

    public QueueFilter Filter => _filter;

    public IReadOnlyList<HelpRequest> VisibleRows => _rows.Items;

    public HelpRequest? Selected =>
        _table.Value is { } selection && selection.SelectedCell.Y >= 0 && selection.SelectedCell.Y < _rows.Items.Count
            ? _rows.Items[selection.SelectedCell.Y]
            : null;

    public TableView Table => _table;

    /// <summary>
    /// Hooks the window to its application: the one-second tick (ages, countdowns, notices), the
    /// screen's keys, the keys that must work everywhere, even inside a dialog (F12 panic), and
    /// the filter that sends the terminal only what changed.
    /// </summary>
    public void Attach(IApplication app)
    {
        WriteOnlyChanges.Install(app, this);
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
            else if (_quit.AnswerByKey(app, key))
            {
                key.Handled = true;
            }
            else if (app.TopRunnable == this && HandleKey(key))
            {
                // Taken before any view sees it: whichever pane has focus (even the read-only
                // detail, which would swallow letters), the action keys do the same thing. Esc is
                // Terminal.Gui's quit key; the table makes it only step back here, while dialogs,
                // which are not this screen, still cancel with it.
                key.Handled = true;
            }
        };
    }

    /// <summary>Quits, asking first only when a note is being written.</summary>
    public void RequestQuit()
    {
        if (_quit.Confirm())
        {
            _quitAllowed = true;
            RequestStop();
        }
    }

    /// <summary>The panic key: nothing sensitive stays on screen, every dialog closes, and the process exits.</summary>
    public void Panic()
    {
        _panicked = true;
        _quitAllowed = true;
        _rows.List.Reset([], _filter, null, default);
        _table.Update();
        _detail.Text = "";
        _detailFrame.Title = "";
        _viewLine.Text = "";
        _alertLine.Text = "";
        _resultLine.Text = "";
        _hintLine.Text = "";
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

    /// <summary>
    /// Every key of this screen goes through the <see cref="Keys"/> table. While the search field
    /// has focus it takes the keys it types, and only Enter and Esc stay the screen's.
    /// </summary>
    private bool HandleKey(Key key)
    {
        if (_panicked)
        {
            return true;
        }
        if (KeyNames.Of(key) is not { } name || (_search.HasFocus && name is not ("Enter" or "Esc")))
        {
            return false;
        }
        return Keys.Dispatch(this, name);
    }

    HelpRequest? IOperatorScreen.Selected => Selected;

    bool IOperatorScreen.Busy => _runner.Busy;

    /// <summary>The action a key started that has not ended yet (a dialog open, or waiting for the server).</summary>
    internal Task RunningAction => _runner.Running;

    bool IActionScreen.Panicked => _panicked;

    void IActionScreen.ShowResult(string text, bool ok) => ShowResult(text, ok);

    void IActionScreen.ShowDetail() => ShowDetail();

    void IActionScreen.SetFilter(QueueFilter filter) => SetFilter(filter);

    bool IActionScreen.CanShow(HelpRequest request) => ViewShowing(request) is not null;

    void IActionScreen.JumpTo(HelpRequest request) => JumpTo(request);

    LinkState IOperatorScreen.Link => _model.Connection.State;

    void IOperatorScreen.Tell(ActionOutcome outcome) => ShowResult(outcome.Message, outcome.Succeeded);

    void IOperatorScreen.Claim() => Act(_claim.RunAsync);

    void IOperatorScreen.Give() => Act(_assign.RunAsync);

    void IOperatorScreen.Release() => Act(_release.RunAsync);

    void IOperatorScreen.Note() => Act(_note.RunAsync);

    void IOperatorScreen.Triage() => Act(_triage.RunAsync);

    void IOperatorScreen.Close() => Act(_close.RunAsync);

    void IOperatorScreen.Reopen() => Act(_reopen.RunAsync);

    void IOperatorScreen.ShowEarlierContacts() => OnSelected(_related.Run);

    void IOperatorScreen.ShowAudit() => OnSelected(_audit.Run);

    void IOperatorScreen.Open()
    {
        if (_search.HasFocus)
        {
            _table.SetFocus();
        }
        else
        {
            ToggleZoom();
        }
    }

    void IOperatorScreen.Back() => Escape();

    void IOperatorScreen.JumpToNewestDanger() => _jumps.ToNewestDanger();

    void IOperatorScreen.JumpToLongestWaiting() => _jumps.ToLongestWaiting();

    void IOperatorScreen.MoveBy(int rows) => MoveBy(rows);

    void IOperatorScreen.MoveToFirst() => MoveTo(0);

    void IOperatorScreen.MoveToLast() => MoveTo(_rows.Items.Count - 1);

    void IOperatorScreen.MoveHalfPage(int direction) => MoveBy(direction * HalfPage());

    void IOperatorScreen.CycleDetailSize() => CycleDetailSize();

    void IOperatorScreen.ShowHelp() => ShowHelp();

    void IOperatorScreen.StartSearch() => StartSearch();

    void IOperatorScreen.ShowFilter() => _filterFlow.Run();

    void IOperatorScreen.ShowScope(QueueScope scope) => SetFilter(_filter with { Scope = scope });

    void IOperatorScreen.ToggleBell() => ToggleBell();

    void IOperatorScreen.RetryNow() => OnRetryNow?.Invoke();

    /// <summary>Starts an action on the selected request (the key table has checked there is one and none is running).</summary>
    private void Act(Func<HelpRequest, Task<ActionOutcome?>> action)
    {
        if (Selected is { } request)
        {
            _runner.Start(request, action);
        }
    }

    private void OnSelected(Action<HelpRequest> show)
    {
        if (Selected is { } request)
        {
            show(request);
        }
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
            ShowResult($"Showing #{request.Number}: the view is now {FilterSummary.Describe(view)}.", ok: true);
        }
        var row = _rows.List.IndexOf(request.Name);
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
        LayOutPanes();
        if (_zoomed)
        {
            _detail.SetFocus();
        }
        else
        {
            _table.SetFocus();
        }
    }

    /// <summary>d: half the screen for the detail pane, a few rows, or none (the queue then gets every row).</summary>
    private void CycleDetailSize()
    {
        _detailSize = _detailSize switch
        {
            DetailSize.Half => DetailSize.Small,
            DetailSize.Small => DetailSize.Hidden,
            _ => DetailSize.Half,
        };
        if (_zoomed)
        {
            _zoomed = false;
        }
        LayOutPanes();
        _table.SetFocus();
        _table.EnsureCursorIsVisible();
    }

    private void LayOutPanes()
    {
        _table.Visible = !_zoomed;
        _table.Height = _zoomed ? 0 : _detailSize switch
        {
            DetailSize.Half => QueueHeight(),
            DetailSize.Small => Dim.Func(_ => Math.Max(4, Viewport.Height - 1 - _bottomRows - SmallDetailRows)),
            _ => Dim.Func(_ => Math.Max(4, Viewport.Height - 1 - _bottomRows)),
        };
        _detailFrame.Visible = _zoomed || _detailSize != DetailSize.Hidden;
    }

    private void MoveBy(int rows)
    {
        var current = _table.Value?.SelectedCell.Y ?? 0;
        MoveTo(current + rows);
    }

    private void MoveTo(int row)
    {
        if (_rows.Items.Count == 0)
        {
            return;
        }
        _table.SetSelection(0, Math.Clamp(row, 0, _rows.Items.Count - 1), false);
        _table.EnsureCursorIsVisible();
        ShowDetail();
    }

    private int HalfPage() => Math.Max(1, (_table.Viewport.Height - 2) / 2);

    private void ToggleBell()
    {
        BellOn = !BellOn;
        ShowResult(BellOn ? "Bell on for new urgent requests." : "Bell off.", ok: true);
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
        if (delta.Reloaded || delta.ChangedNames.Count > MaxChangesPlacedOneByOne
            || !_rows.List.IsFor(_model.Me?.Name, StartOfToday(_time.GetUtcNow())))
        {
            RebuildRows();
        }
        else if (delta.ChangedNames.Count > 0)
        {
            PlaceChangedRows(delta.ChangedNames);
        }
        else
        {
            // A refreshed operator list can change a name the detail pane shows.
            ShowDetail();
            UpdateLines();
        }
        var takenFromMe = _held.TakenFromMe(delta, _runner.ActingOn);
        var alarming = delta.Created.Where(r => r.Urgency >= Urgency.Urgent).OrderByDescending(r => r.Urgency).FirstOrDefault();
        if (takenFromMe is not null)
        {
            ShowAlert(takenFromMe, danger: true);
        }
        else if (alarming is not null)
        {
            ShowAlert($"New {Labels.UrgencyLong(alarming.Urgency)} request #{alarming.Number} ({Labels.ChannelLong(alarming.Channel)}); ! jumps to the newest danger.",
                danger: alarming.Urgency == Urgency.ImmediateDanger);
        }
        if ((alarming is not null || takenFromMe is not null) && BellOn)
        {
            _ringBell();
        }
        if (delta.Reloaded)
        {
            _held.Remember();
        }
        else
        {
            _held.Remember(delta.ChangedNames);
        }
    }

    /// <summary>Re-filters and re-sorts every request: after a snapshot, a new filter or a burst.</summary>
    private void RebuildRows()
    {
        var selectedName = Selected?.Name;
        var previousRow = _table.Value?.SelectedCell.Y ?? 0;
        _rows.List.Reset(_model.Requests, _filter, _model.Me?.Name, StartOfToday(_time.GetUtcNow()));
        RowsChanged(selectedName, previousRow);
    }

    /// <summary>Moves only the rows a batch changed, each by binary search, rather than sorting every request again.</summary>
    private void PlaceChangedRows(IEnumerable<string> changedNames)
    {
        var selectedName = Selected?.Name;
        var previousRow = _table.Value?.SelectedCell.Y ?? 0;
        foreach (var name in changedNames)
        {
            _rows.List.Update(name, _model.Find(name));
        }
        RowsChanged(selectedName, previousRow);
    }

    /// <summary>Redraws the table after its rows changed, keeping the selection on the same request.</summary>
    private void RowsChanged(string? selectedName, int previousRow)
    {
        _table.Update();
        if (_rows.Items.Count > 0)
        {
            var row = selectedName is null ? -1 : _rows.List.IndexOf(selectedName);
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

    /// <summary>The outcome of the operator's own action: it stays until their next action.</summary>
    private void ShowResult(string text, bool ok)
    {
        _result = (text, ok);
        UpdateLines();
    }

    /// <summary>A live event: it has its own line, so it never hides the outcome of the operator's own action.</summary>
    private void ShowAlert(string text, bool danger)
    {
        _alert = (text, danger, _time.GetUtcNow() + AlertTime);
        UpdateLines();
    }

    /// <summary>The one-second tick: ages, countdowns, alert expiry. Internal so tests can drive it with fake time.</summary>
    internal void Tick()
    {
        if (_panicked)
        {
            return;
        }
        if (_alert is { } alert && _time.GetUtcNow() >= alert.Until)
        {
            _alert = null;
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

        _rows.MessageWidth = width - QueueRows.MinWidths.Take(QueueRows.MinWidths.Count - 1).Sum() - (QueueRows.MinWidths.Count - 1);
        var link = _model.Connection;
        // Offline outranks any live event: the whole screen may be old.
        var banner = StatusLine.Banner(link, now, _zone, width);
        var alertText = banner ?? (_alert is { } alert ? TextRows.Cut(alert.Text, width) : null);
        SetLine(_alertLine, alertText,
            banner is not null ? _palette.Stale : _alert is { Danger: true } ? _palette.Refusal : _palette.Success);
        SetLine(_resultLine, _result is { } result ? TextRows.Wrap(result.Text, width) : null,
            _result is { Ok: true } ? _palette.Success : _palette.Refusal);
        SetLine(_hintLine, Keys.HintLine(HintPlace.Actions, width), _palette.Screen);

        // The status line keeps who, link, revision and counts whole at any width, and the panic key always shows.
        var panic = " │ " + Keys.HintLine(HintPlace.Status, width);
        _statusLine.Text = StatusLine.Format(_model.Me, link, _model.Revision, _rows.Items.Count, _model.OpenCount, BellOn, now, _zone,
            Math.Max(10, width - panic.Length)) + panic;

        // Stack the bottom lines: status, hints, then the result and the alert when there are any.
        var rows = 2;
        foreach (var line in new[] { _resultLine, _alertLine })
        {
            if (line.Visible)
            {
                var height = line.Text.Count(c => c == '\n') + 1;
                rows += height;
                line.Height = height;
                line.Y = Pos.AnchorEnd(rows);
            }
        }
        if (_bottomRows != rows)
        {
            _bottomRows = rows;
            _detailFrame.Height = Dim.Fill(rows);
            LayOutPanes();
        }
    }

    private static void SetLine(Label line, string? text, Terminal.Gui.Drawing.Scheme scheme)
    {
        line.Visible = text is not null;
        if (text is null)
        {
            return;
        }
        if (line.Text != text)
        {
            line.Text = text;
        }
        line.SetScheme(scheme);
    }

    /// <summary>About half the rows between the view line and the two bottom lines: 11 of 24.</summary>
    private Dim QueueHeight() => Dim.Func(_ => Math.Max(4, ((Viewport.Height - 3) / 2) + 1));

    private DateTimeOffset StartOfToday(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, _zone);
        return new DateTimeOffset(local.Date, local.Offset);
    }
}
