using System.Diagnostics;
using Hotline.Console.State;
using Hotline.Contract.V1;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Xunit.Abstractions;

namespace Hotline.Console.Tests.Views;

/// <summary>
/// Figures for the issue: a keystroke's redraw and a burst of 1,000 changes with 10,000 open
/// requests loaded. Prints them; asserts behaviour only, because timings on a shared 2-core
/// machine vary too much to assert.
/// </summary>
[Collection(HeadlessCollection.Name)]
public sealed class ResponsivenessBenchmark(ITestOutputHelper output)
{
    private const int Loaded = 10_000;
    private const int Burst = 1_000;

    [Fact]
    public void TenThousandLoaded_KeystrokesAndABurstOfAThousandChanges()
    {
        var languages = new[] { "ru", "ce", "en", "uk", "tg" };
        var messages = new[] { Requests.Russian, Requests.Chechen, "Need legal advice about a summons.", "Потрібна допомога з евакуацією" };
        var requests = Enumerable.Range(1, Loaded).Select(i => Requests.Make(i, (Urgency)(1 + (i % 3)), messages[i % messages.Length],
            language: languages[i % languages.Length], channel: (Channel)(1 + (i % 9)), revision: i)).ToArray();

        var clock = Stopwatch.StartNew();
        using var console = new ConsoleHarness(requests, revision: Loaded);
        console.App.LayoutAndDraw();
        var loadMs = clock.Elapsed.TotalMilliseconds;

        TimeKeys(console, Key.CursorDown, 20);
        TimeKeys(console, Key.CursorUp, 20);
        var down = TimeKeys(console, Key.CursorDown, 200);
        var pageDown = TimeKeys(console, Key.PageDown, 50);
        var selected = console.Window.Selected!.Name;

        // The burst arrives as the watch loop delivers it: posted from another thread, drained by
        // one app.Invoke on the UI thread, applied in one batch and drawn once.
        FeedInbox? live = null;
        live = new FeedInbox(() => console.App.Invoke(() => console.Model.Apply(live!.Drain())));
        var changes = Enumerable.Range(1, Burst).Select(i =>
        {
            var revision = Loaded + i;
            return i % 10 == 0
                ? Requests.Change(revision, ChangeKind.Created, Requests.Make(Loaded + i, Urgency.Routine, revision: revision))
                : Requests.Change(revision, ChangeKind.Assigned, requests[(i * 7) % Loaded].With(revision, r =>
                {
                    r.Assignee = "operators/timur";
                    r.State = RequestState.Assigned;
                }));
        }).ToList();
        var producer = new Thread(() => changes.ForEach(live.Post));
        producer.Start();
        Assert.True(producer.Join(TaskTimeouts.Default));

        clock.Restart();
        console.App.TimedEvents!.RunTimers();
        console.App.LayoutAndDraw();
        var burstMs = clock.Elapsed.TotalMilliseconds;

        Assert.Equal(Loaded + Burst, console.Model.Revision);
        Assert.Equal(Loaded + (Burst / 10), console.Model.Count);
        Assert.Equal(selected, console.Window.Selected!.Name);
        Assert.Contains($"rev {Loaded + Burst}", console.Screen, StringComparison.Ordinal);
        Assert.Empty(live.Drain());

        output.WriteLine($"load {Loaded:N0} requests + first draw: {loadMs:F0} ms");
        output.WriteLine($"keystroke redraw, cursor down: {down:F2} ms (mean of 200 after 40 to warm up)");
        output.WriteLine($"keystroke redraw, page down:   {pageDown:F2} ms (mean of 50)");
        output.WriteLine($"burst of {Burst:N0} changes with {Loaded:N0} loaded, one batch + redraw: {burstMs:F0} ms");
    }

    private static double TimeKeys(ConsoleHarness console, Key key, int count)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            console.App.InjectKey(key);
            console.App.LayoutAndDraw();
        }
        return clock.Elapsed.TotalMilliseconds / count;
    }
}
