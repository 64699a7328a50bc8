using Hotline.Console.Presentation;
using Hotline.Console.State;
using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// The lines under the detail pane, stacked from the bottom: the status line (who, link, revision,
/// counts, the panic key), the hint line (the keys that work now), the result line (the outcome
/// of the operator's own last action, until the next one) and the alert line (a live event, or the
/// offline banner). The last two take rows only while they have something to say.
/// </summary>
/// <remarks>UI thread only.</remarks>
internal sealed class BottomLines
{
    /// <summary>How long a live event (a new urgent request, a takeover) stays on the alert line.</summary>
    private static readonly TimeSpan AlertTime = TimeSpan.FromSeconds(30);

    private readonly QueueModel _model;
    private readonly Palette _palette;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;
    private readonly Label _alertLine = new() { X = 0, Y = Pos.AnchorEnd(3), Width = Dim.Fill(), Height = 1, Visible = false };
    private readonly Label _resultLine = new() { X = 0, Y = Pos.AnchorEnd(2), Width = Dim.Fill(), Height = 1, Visible = false };
    private readonly Label _hintLine = new() { X = 0, Y = Pos.AnchorEnd(2), Width = Dim.Fill(), Height = 1 };
    private readonly Label _statusLine = new() { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1 };
    private (string Text, bool Ok)? _result;
    private (string Text, bool Danger, DateTimeOffset Until)? _alert;

    public BottomLines(QueueModel model, Palette palette, TimeProvider time, TimeZoneInfo zone)
    {
        _model = model;
        _palette = palette;
        _time = time;
        _zone = zone;
    }

    public View[] Views => [_alertLine, _resultLine, _hintLine, _statusLine];

    /// <summary>The rows the lines take now: status and hints, plus the result and alert lines while shown.</summary>
    public int Rows { get; private set; } = 2;

    /// <summary>The outcome of the operator's own action: it stays until their next action.</summary>
    public void ShowResult(string text, bool ok) => _result = (text, ok);

    /// <summary>A new action starts: until it has an outcome, the hints show.</summary>
    public void ClearResult() => _result = null;

    /// <summary>A live event: it has its own line, so it never hides the outcome of the operator's own action.</summary>
    public void ShowAlert(string text, bool danger) => _alert = (text, danger, _time.GetUtcNow() + AlertTime);

    /// <summary>The one-second tick: a live event leaves the alert line after <see cref="AlertTime"/>.</summary>
    public void ExpireAlert()
    {
        if (_alert is { } alert && _time.GetUtcNow() >= alert.Until)
        {
            _alert = null;
        }
    }

    /// <summary>Writes every line for <paramref name="width"/> columns and stacks them; <see cref="Rows"/> then says how many rows they take.</summary>
    /// <param name="shown">How many requests the queue shows.</param>
    /// <param name="screen">Decides which keys the hint line offers.</param>
    public void Update(int width, int shown, bool bellOn, IOperatorScreen screen)
    {
        var now = _time.GetUtcNow();
        var link = _model.Connection;
        // Offline outranks any live event: the whole screen may be old.
        var banner = StatusLine.Banner(link, now, _zone, width);
        var alertText = banner ?? (_alert is { } alert ? TextRows.Cut(alert.Text, width) : null);
        SetLine(_alertLine, alertText,
            banner is not null ? _palette.Stale : _alert is { Danger: true } ? _palette.Refusal : _palette.Success);
        SetLine(_resultLine, _result is { } result ? TextRows.Wrap(result.Text, width) : null,
            _result is { Ok: true } ? _palette.Success : _palette.Refusal);
        SetLine(_hintLine, Keys.HintLine(HintPlace.Actions, width, screen), _palette.Screen);

        // The status line keeps who, link, revision and counts whole at any width, and the panic key always shows.
        var panic = " │ " + Keys.HintLine(HintPlace.Status, width);
        _statusLine.Text = StatusLine.Format(_model.Me, link, _model.Revision, shown, _model.OpenCount, bellOn, now, _zone,
            Math.Max(10, width - panic.Length)) + panic;

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
        Rows = rows;
    }

    /// <summary>The panic key: no line keeps anything.</summary>
    public void Clear()
    {
        foreach (var line in Views)
        {
            line.Text = "";
        }
    }

    private static void SetLine(Label line, string? text, Scheme scheme)
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
}
