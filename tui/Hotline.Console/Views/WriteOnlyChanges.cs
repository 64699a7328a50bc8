using Terminal.Gui.App;
using Terminal.Gui.Drawing;
using Terminal.Gui.Text;
using Terminal.Gui.ViewBase;

namespace Hotline.Console.Views;

/// <summary>
/// Lets only what changed reach the terminal, which over SSH is what keeps the console quick.
/// Terminal.Gui 2.5 writes every cell a view draws, and a view draws its whole viewport when
/// anything in it changes: one changed row, a cursor move or the one-second tick that updates the
/// ages rewrote the whole queue table, 6-9 KB per row update in a real terminal. Just before a frame
/// is written, a drawn cell whose text and attribute are those of the last frame written is marked
/// clean. And 2.5 never clears its "cursor needs update" flag, so every main-loop iteration (about
/// 25 a second) hid the already hidden cursor again and moved it home: 10 bytes each, about 250
/// bytes a second of an idle console. When the cursor is hidden and stays hidden, the flag is cleared.
/// </summary>
/// <remarks>
/// What the terminal shows is the screen buffer as it was after the last frame was written: the
/// driver writes every dirty cell, so after a write the buffer and the terminal agree. A cleared
/// or resized screen forgets it, and that frame is written whole. A row holding a wide character
/// is written as drawn: a cell skipped next to one could leave half of it on the terminal.
/// UI thread only (drawing and writing happen there).
/// </remarks>
internal sealed class WriteOnlyChanges
{
    private readonly IApplication _app;
    private Cell[,]? _shown;

    private WriteOnlyChanges(IApplication app) => _app = app;

    /// <summary>Filters each frame once <paramref name="screen"/>, the bottom runnable, has drawn.</summary>
    public static void Install(IApplication app, View screen)
    {
        var filter = new WriteOnlyChanges(app);
        app.Iteration += (_, _) => filter.KeepHiddenCursorQuiet();
        screen.DrawComplete += (_, _) => filter.MarkUnchangedClean();
        app.LayoutAndDrawComplete += (_, _) => filter.RememberWritten();
        if (app.Driver is { } driver)
        {
            driver.ClearedContents += (_, _) => filter._shown = null;
            driver.SizeChanged += (_, _) => filter._shown = null;
        }
    }

    /// <summary>
    /// Runs before each iteration's drawing and cursor update. Only when the cursor is hidden and the
    /// focused view shows none would the update be a no-op, so only then is it skipped; a visible
    /// cursor (a text field) is left to Terminal.Gui.
    /// </summary>
    private void KeepHiddenCursorQuiet()
    {
        if (_app.Driver is { } driver && driver.GetCursorNeedsUpdate() && !driver.GetCursor().IsVisible
            && _app.TopRunnableView?.MostFocused is not { Cursor.IsVisible: true })
        {
            driver.SetCursorNeedsUpdate(false);
        }
    }

    private void MarkUnchangedClean()
    {
        if (_shown is not { } shown || _app.Driver?.Contents is not { } contents
            || contents.GetLength(0) != shown.GetLength(0) || contents.GetLength(1) != shown.GetLength(1))
        {
            return;
        }
        var dirtyLines = _app.Driver.GetOutputBuffer().DirtyLines;
        for (var row = 0; row < contents.GetLength(0); row++)
        {
            if (row < dirtyLines.Length && !dirtyLines[row] || HasWideCharacter(contents, row))
            {
                continue;
            }
            var anyDirty = false;
            for (var col = 0; col < contents.GetLength(1); col++)
            {
                ref var cell = ref contents[row, col];
                if (cell.IsDirty && cell.Grapheme == shown[row, col].Grapheme && cell.Attribute == shown[row, col].Attribute)
                {
                    cell.IsDirty = false;
                }
                anyDirty |= cell.IsDirty;
            }
            if (row < dirtyLines.Length)
            {
                dirtyLines[row] = anyDirty;
            }
        }
    }

    private void RememberWritten()
    {
        if (_app.Driver?.Contents is { } contents)
        {
            _shown = (Cell[,])contents.Clone();
        }
    }

    private static bool HasWideCharacter(Cell[,] contents, int row)
    {
        for (var col = 0; col < contents.GetLength(1); col++)
        {
            // Nothing below U+1100 is wide, which spares measuring most cells.
            if (contents[row, col].Grapheme is { } grapheme && (grapheme.Length > 1 || grapheme is [>= '\u1100'])
                && grapheme.GetColumns() > 1)
            {
                return true;
            }
        }
        return false;
    }
}
