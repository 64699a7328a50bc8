using Hotline.Console.Operations;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Terminal.Gui.App;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// The supervisor screen (S): the queue by urgency and state, today's figures, and who holds how
/// much, read from the server's StatsService. Live: it reads the figures again when the queue
/// changes (at most once a second) and every 5 s, and the ages tick every second in between. Esc closes.
/// </summary>
/// <remarks>
/// UI thread only. Reads run off the UI thread and are applied through <see cref="IApplication.Invoke(Action)"/>;
/// one that arrives after the dialog closed is dropped.
/// </remarks>
internal sealed class SupervisorDialog : Dialog
{
    private readonly IApplication _app;
    private readonly SupervisorFigures _figures;
    private readonly QueueModel _model;
    private readonly Palette _palette;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;
    private readonly CancellationTokenSource _closing = new();
    private readonly Label _status;
    private readonly Label _body;
    private readonly object? _ticker;
    // Read by the fetch's continuation on a pool thread, to skip posting to a screen that has gone.
    private volatile bool _closed;

    public SupervisorDialog(IApplication app, SupervisorFigures figures, QueueModel model, Palette palette, TimeProvider time, TimeZoneInfo zone)
    {
        _app = app;
        _figures = figures;
        _model = model;
        _palette = palette;
        _time = time;
        _zone = zone;
        Title = SupervisorLines.Title;
        Width = Dim.Fill(2);
        Height = Dim.Fill(1);
        palette.Dress(this);
        _status = new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1 };
        _body = new Label { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(1) };
        var hint = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1, Text = SupervisorLines.Hint };
        Add(_status, _body, hint);
        _model.Changed += OnModelChanged;
        _ticker = app.AddTimeout(TimeSpan.FromSeconds(1), () =>
        {
            Tick();
            return !_closed;
        });
        Refresh();
        Read(force: true);
    }

    /// <summary>The one-second tick: ages move on, and the periodic read when it is due. Internal so tests can drive it.</summary>
    internal void Tick()
    {
        if (_closed)
        {
            return;
        }
        if (_figures.Due)
        {
            Read(force: true);
        }
        Refresh();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            _model.Changed -= OnModelChanged;
            if (_ticker is not null)
            {
                _app.RemoveTimeout(_ticker);
            }
            _closing.Cancel();
            _closing.Dispose();
        }
        base.Dispose(disposing);
    }

    private void OnModelChanged(QueueDelta delta) => Read(force: false);

    private void Read(bool force)
    {
        if (_closed || !_figures.TryBegin(force))
        {
            return;
        }
        Refresh();
        _ = FetchAsync();
    }

    private async Task FetchAsync()
    {
        var fetch = await _figures.FetchAsync(_closing.Token).ConfigureAwait(false);
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
            _figures.Apply(fetch);
            Refresh();
        });
    }

    private void Refresh()
    {
        _status.Text = _figures.StatusText(_zone);
        _status.SetScheme(_figures.Failure is null ? _palette.Dialog : _palette.Refusal);
        var height = _body.Viewport.Height > 0 ? _body.Viewport.Height : 19;
        _body.Text = _figures.Latest is { } latest
            ? string.Join('\n', SupervisorLines.Render(latest, _time.GetUtcNow(), _zone, _model.DisplayName, height))
            : "";
    }
}
