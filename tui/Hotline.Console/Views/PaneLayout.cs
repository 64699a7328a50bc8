using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// How the screen's rows are shared between the queue and the detail pane: the detail pane at
/// half the screen, a few rows or hidden (d), or the whole request zoomed (Enter), and whatever
/// the bottom lines leave.
/// </summary>
/// <remarks>UI thread only.</remarks>
internal sealed class PaneLayout
{
    /// <summary>Rows the detail pane keeps when shrunk with d.</summary>
    private const int SmallDetailRows = 6;

    private readonly View _screen;
    private readonly TableView _table;
    private readonly DetailPane _detail;
    private DetailSize _detailSize;
    private int _bottomRows = 2;

    public PaneLayout(View screen, TableView table, DetailPane detail)
    {
        _screen = screen;
        _table = table;
        _detail = detail;
        _detail.Frame.Y = Pos.Bottom(table);
        LayOut();
    }

    /// <summary>How much of the screen the detail pane takes (d cycles).</summary>
    private enum DetailSize
    {
        Half,
        Small,
        Hidden,
    }

    /// <summary>True while the whole request fills the screen instead of the queue.</summary>
    public bool Zoomed { get; private set; }

    /// <summary>Rows under the detail pane: status and hints, plus the result and alert lines while shown.</summary>
    public int BottomRows
    {
        get => _bottomRows;
        set
        {
            if (_bottomRows != value)
            {
                _bottomRows = value;
                _detail.Frame.Height = Dim.Fill(value);
                LayOut();
            }
        }
    }

    /// <summary>Enter: the whole request, or back to the queue.</summary>
    public void ToggleZoom()
    {
        Zoomed = !Zoomed;
        LayOut();
        if (Zoomed)
        {
            _detail.Text.SetFocus();
        }
        else
        {
            _table.SetFocus();
        }
    }

    /// <summary>d: half the screen for the detail pane, a few rows, or none (the queue then gets every row).</summary>
    public void CycleDetailSize()
    {
        _detailSize = _detailSize switch
        {
            DetailSize.Half => DetailSize.Small,
            DetailSize.Small => DetailSize.Hidden,
            _ => DetailSize.Half,
        };
        Zoomed = false;
        LayOut();
        _table.SetFocus();
        _table.EnsureCursorIsVisible();
    }

    private void LayOut()
    {
        _table.Visible = !Zoomed;
        _table.Height = Zoomed ? 0 : _detailSize switch
        {
            // About half the rows between the view line and the two bottom lines: 11 of 24.
            DetailSize.Half => Dim.Func(_ => Math.Max(4, ((_screen.Viewport.Height - 3) / 2) + 1)),
            DetailSize.Small => Dim.Func(_ => Math.Max(4, _screen.Viewport.Height - 1 - _bottomRows - SmallDetailRows)),
            _ => Dim.Func(_ => Math.Max(4, _screen.Viewport.Height - 1 - _bottomRows)),
        };
        _detail.Frame.Visible = Zoomed || _detailSize != DetailSize.Hidden;
    }
}
