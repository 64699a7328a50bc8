using Hotline.Console.Actions;
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
/// The operator's screen, laid out top to bottom: the <see cref="ViewLine"/>, the live
/// <see cref="QueueTable"/>, the <see cref="DetailPane"/> (rows shared by <see cref="PaneLayout"/>)
/// and the <see cref="BottomLines"/>. It wires those pieces to the <see cref="QueueModel"/>, which
/// holds the queue, and to the keys: every key goes through the <see cref="Keys"/> table, which
/// calls it as an <see cref="IOperatorScreen"/>; the action flows in <c>Actions/</c> do the work
/// and touch the screen only as an <see cref="IActionScreen"/>.
/// </summary>
/// <remarks>UI thread only; the model it listens to is fed on the UI thread by the watch inbox.</remarks>
internal sealed class ConsoleWindow : Runnable, IOperatorScreen, IActionScreen
{
    private readonly QueueModel _model;
    private readonly Palette _palette;
    private readonly Action _ringBell;
    private readonly ViewLine _viewLine = new();
    private readonly QueueTable _table;
    private readonly DetailPane _detail;
    private readonly PaneLayout _panes;
    private readonly BottomLines _lines;
    private readonly HeldRequests _held;
    private readonly ActionRunner _runner;
    private readonly ActionFlows _flows;
    private object? _ticker;
    private bool _quitAllowed;

    public ConsoleWindow(QueueModel model, RequestOperations operations, NoteDrafts drafts, Palette palette, TimeProvider time,
        TimeZoneInfo zone, bool bell, Action ringBell)
    {
        _model = model;
        _palette = palette;
        _ringBell = ringBell;
        BellOn = bell;
        CanFocus = true;
        SetScheme(palette.Screen);

        _viewLine.Search.ValueChanged += (_, _) => SetFilter(Filter with { Search = _viewLine.Search.Text });
        _table = new QueueTable(model, palette, time, zone);
        _table.View.ValueChanged += (_, _) => SelectionMoved();
        _detail = new DetailPane(model, drafts, palette, time, zone);
        _panes = new PaneLayout(this, _table.View, _detail);
        _table.View.Accepted += (_, _) => _panes.ToggleZoom();
        _lines = new BottomLines(model, palette, time, zone);
        Add(_viewLine.Label, _viewLine.Search, _table.View, _detail.Frame);
        Add(_lines.Views);
        FrameChanged += (_, _) => UpdateLines();
        _model.Changed += OnModelChanged;

        _held = new HeldRequests(model, drafts);
        _runner = new ActionRunner(this, () =>
        {
            _lines.ClearResult();
            UpdateLines();
        }, () =>
        {
            _held.Remember();
            UpdateLines();
        });
        _flows = new ActionFlows(model, operations, drafts, palette, time, zone, this);
        SetFilter(QueueFilter.Default);
    }

    /// <summary>Ring the terminal bell when an urgent request arrives.</summary>
    public bool BellOn { get; private set; }

    /// <summary>Runs after the panic key: clears the terminal and ends the process (see Program).</summary>
    public Action? OnPanic { get; set; }

    /// <summary>Asks the watch loop to reconnect now rather than after its backoff (key R).</summary>
    public Action? OnRetryNow { get; set; }

    public QueueFilter Filter => _table.Filter;

    public IReadOnlyList<HelpRequest> VisibleRows => _table.Rows;

    public HelpRequest? Selected => _table.Selected;

    public TableView Table => _table.View;

    /// <summary>True after the panic key: nothing more is shown, every key is swallowed, a flow whose dialog closed does nothing more.</summary>
    public bool Panicked { get; private set; }

    /// <summary>True while the search field has focus and takes the keys typed.</summary>
    internal bool Searching => _viewLine.Search.HasFocus;

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
        ScreenKeys.Route(app, this, _flows.Quit);
    }

    /// <summary>Quits, asking first only when a note is being written.</summary>
    public void RequestQuit()
    {
        if (_flows.Quit.Confirm())
        {
            _quitAllowed = true;
            RequestStop();
        }
    }

    /// <summary>The panic key: nothing sensitive stays on screen, every dialog closes, and the process exits.</summary>
    public void Panic()
    {
        Panicked = true;
        _quitAllowed = true;
        _table.Clear();
        _detail.Clear();
        _viewLine.Clear();
        _lines.Clear();
        if (App?.SessionStack is { } sessions)
        {
            foreach (var session in sessions)
            {
                session.Runnable?.RequestStop();
            }
        }
        OnPanic?.Invoke();
    }

    /// <summary>The one-second tick: ages, countdowns, alert expiry. Internal so tests can drive it with fake time.</summary>
    internal void Tick()
    {
        if (Panicked)
        {
            return;
        }
        _lines.ExpireAlert();
        _table.View.SetNeedsDraw();
        UpdateLines();
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

    HelpRequest? IOperatorScreen.Selected => Selected;

    bool IOperatorScreen.Busy => _runner.Busy;

    void IActionScreen.ShowResult(string text, bool ok) => ShowResult(text, ok);

    void IActionScreen.ShowDetail() => _detail.Show(Selected);

    void IActionScreen.SetFilter(QueueFilter filter) => SetFilter(filter);

    bool IActionScreen.CanShow(HelpRequest request) => _table.ViewShowing(request) is not null;

    void IActionScreen.JumpTo(HelpRequest request) => JumpTo(request);

    LinkState IOperatorScreen.Link => _model.Connection.State;

    void IOperatorScreen.Tell(ActionOutcome outcome) => ShowResult(outcome.Message, outcome.Succeeded);

    void IOperatorScreen.Claim() => Act(_flows.Claim.RunAsync);

    void IOperatorScreen.Give() => Act(_flows.Assign.RunAsync);

    void IOperatorScreen.Release() => Act(_flows.Release.RunAsync);

    void IOperatorScreen.Note() => Act(_flows.Note.RunAsync);

    void IOperatorScreen.Triage() => Act(_flows.Triage.RunAsync);

    void IOperatorScreen.Close() => Act(_flows.Close.RunAsync);

    void IOperatorScreen.Reopen() => Act(_flows.Reopen.RunAsync);

    void IOperatorScreen.FollowUp() => Act(_flows.FollowUp.RunAsync);

    void IOperatorScreen.ShowEarlierContacts() => OnSelected(_flows.Related.Run);

    void IOperatorScreen.ShowAudit() => OnSelected(_flows.Audit.Run);

    void IOperatorScreen.ShowSupervisor() => _flows.Supervisor.Run();

    void IOperatorScreen.Open()
    {
        if (Searching)
        {
            _table.View.SetFocus();
        }
        else
        {
            _panes.ToggleZoom();
        }
    }

    /// <summary>Esc without quitting: leave the search, then the zoomed detail.</summary>
    void IOperatorScreen.Back()
    {
        if (_viewLine.EndSearch())
        {
            _table.View.SetFocus();
            SetFilter(Filter with { Search = "" });
        }
        else if (_panes.Zoomed)
        {
            _panes.ToggleZoom();
        }
    }

    void IOperatorScreen.JumpToNewestDanger() => _flows.Jumps.ToNewestDanger();

    void IOperatorScreen.JumpToLongestWaiting() => _flows.Jumps.ToLongestWaiting();

    void IOperatorScreen.MoveBy(int rows) => Moved(() => _table.MoveBy(rows));

    void IOperatorScreen.MoveToFirst() => Moved(() => _table.MoveTo(0));

    void IOperatorScreen.MoveToLast() => Moved(_table.MoveToLast);

    void IOperatorScreen.MoveHalfPage(int direction) => Moved(() => _table.MoveHalfPage(direction));

    void IOperatorScreen.CycleDetailSize() => _panes.CycleDetailSize();

    void IOperatorScreen.ShowHelp()
    {
        using var dialog = new HelpDialog(_palette);
        App?.Run(dialog);
    }

    void IOperatorScreen.StartSearch()
    {
        _viewLine.StartSearch();
        UpdateLines();
    }

    void IOperatorScreen.ShowFilter() => _flows.Filter.Run();

    void IOperatorScreen.ShowScope(QueueScope scope) =>
        SetFilter(Filter with { Scope = scope, SeesAllDue = _model.Me is { Role: >= OperatorRole.Supervisor } });

    void IOperatorScreen.ToggleBell()
    {
        BellOn = !BellOn;
        ShowResult(BellOn ? "Bell on for new urgent requests." : "Bell off.", ok: true);
    }

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

    private void Moved(Action move)
    {
        move();
        _detail.Show(Selected);
    }

    private void SelectionMoved()
    {
        _detail.Show(Selected);
        // The request keys are offered only while a request is selected.
        UpdateLines();
    }

    private void JumpTo(HelpRequest request)
    {
        if (_table.ViewShowing(request) is not { } view)
        {
            return;
        }
        if (view != Filter)
        {
            _viewLine.EndSearch();
            SetFilter(view);
            ShowResult($"Showing #{request.Number}: the view is now {FilterSummary.Describe(view)}.", ok: true);
        }
        if (!_table.Select(request.Name))
        {
            return;
        }
        _detail.Show(Selected);
        if (!_panes.Zoomed)
        {
            _table.View.SetFocus();
        }
    }

    private void SetFilter(QueueFilter filter)
    {
        _table.Rebuild(filter);
        _detail.Show(Selected);
        UpdateLines();
    }

    private void OnModelChanged(QueueDelta delta)
    {
        if (Panicked)
        {
            return;
        }
        // Whether or not a row changed, a refreshed operator list can change a name the detail pane shows.
        _table.Follow(delta);
        _detail.Show(Selected);
        if (BellPolicy.For(delta, _held.Follow(delta, _runner.ActingOn), BellOn, _model.Me) is { } alert)
        {
            _lines.ShowAlert(alert.Text, alert.Danger);
            if (alert.Rings)
            {
                _ringBell();
            }
        }
        UpdateLines();
    }

    private void ShowResult(string text, bool ok)
    {
        _lines.ShowResult(text, ok);
        UpdateLines();
    }

    private void UpdateLines()
    {
        if (Panicked)
        {
            return;
        }
        var width = Math.Max(Frame.Width, 20);
        _viewLine.Update(Filter, width);
        _table.FitMessageTo(width);
        _lines.Update(width, _table.Rows.Count, BellOn, this);
        _panes.BottomRows = _lines.Rows;
    }
}
