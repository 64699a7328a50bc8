using System.Text;
using Hotline.Contract.V1;
using Terminal.Gui.App;
using Terminal.Gui.Input;

namespace Hotline.Console.Tests.Views;

/// <summary>
/// What the headless driver would send to the terminal after each frame: only the cells that
/// changed, whatever Terminal.Gui redrew, and the whole screen again when the screen was cleared.
/// </summary>
[Collection(HeadlessCollection.Name)]
public sealed class TerminalWritesTests
{
    private static HelpRequest[] Queue() =>
        [.. Enumerable.Range(1, 200).Select(i => Requests.Make(i, (Urgency)(1 + (i % 3)), Requests.Russian, language: "ru", revision: i))];

    [Fact]
    public void OneRowChanging_WritesThatRowNotTheTable()
    {
        using var console = new ConsoleHarness(Queue(), revision: 200);
        console.App.LayoutAndDraw();
        var whole = Written(console);
        var row = console.Window.VisibleRows[4];

        console.Feed(Requests.Change(201, ChangeKind.Assigned, row.With(201, r =>
        {
            r.Assignee = "operators/timur";
            r.State = RequestState.Assigned;
        })));
        console.App.LayoutAndDraw();
        var oneRow = Written(console);

        Assert.Contains("timur", console.Lines[7], StringComparison.Ordinal);
        Assert.InRange(whole, 2_000, int.MaxValue);
        Assert.InRange(oneRow, 1, 200);
    }

    [Fact]
    public void TheTickAndACursorMove_WriteWhatChanged()
    {
        using var console = new ConsoleHarness(Queue(), revision: 200);
        console.App.LayoutAndDraw();

        console.Time.Advance(TimeSpan.FromMinutes(1));
        console.Window.Tick();
        console.App.LayoutAndDraw();
        var tick = Written(console);
        console.Press(Key.CursorDown);
        console.App.LayoutAndDraw();
        var down = Written(console);

        // A minute on, every age on screen moved by one digit; the rest of the table stays.
        Assert.Contains("29m", console.Lines[3], StringComparison.Ordinal);
        Assert.InRange(tick, 1, 400);
        // Two rows swap colours and the detail pane shows another request: far less than the screen.
        Assert.InRange(down, 1, 1_000);
    }

    [Fact]
    public void AResizedOrClearedScreen_IsWrittenWhole()
    {
        using var console = new ConsoleHarness(Queue(), revision: 200);
        console.App.LayoutAndDraw();

        console.App.Driver!.SetScreenSize(100, 30);
        console.App.LayoutAndDraw();
        var resized = Written(console);
        console.App.LayoutAndDraw(forceRedraw: true);
        var forced = Written(console);

        Assert.InRange(resized, 2_000, int.MaxValue);
        Assert.InRange(forced, 2_000, int.MaxValue);
    }

    /// <summary>Bytes the last frame wrote (each step here draws something, so a frame is written after each).</summary>
    private static int Written(ConsoleHarness console)
    {
        var written = console.App.Driver!.GetOutput().GetLastOutput();
        return Encoding.UTF8.GetByteCount(written);
    }
}
