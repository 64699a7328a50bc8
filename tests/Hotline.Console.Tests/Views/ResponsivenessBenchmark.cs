using System.Diagnostics;
using Hotline.Console.State;
using Hotline.Contract.V1;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Xunit.Abstractions;

namespace Hotline.Console.Tests.Views;

/// <summary>
/// Figures for issue 10: what a keystroke and a one-row change cost at 1,000 and 10,000 open
/// requests (the ratio should stay near 1x: the cost follows what is on screen, not what is
/// loaded), and a burst of 1,000 changes with 10,000 loaded. Prints them; asserts behaviour only,
/// because timings on a shared 2-core machine vary too much to assert.
/// </summary>
[Collection(HeadlessCollection.Name)]
public sealed class ResponsivenessBenchmark(ITestOutputHelper output)
{
    private const int Burst = 1_000;

    [Fact]
    public void OneThousandAndTenThousandLoaded_KeystrokesAndOneChangeCostTheSame()
    {
        // A first pass only warms the JIT, so neither size pays for it.
        Measure(1_000);
        var small = Measure(1_000);
        var large = Measure(10_000);

        output.WriteLine("median per action, headless 80x24, input handled and screen redrawn:");
        output.WriteLine($"{"",-34}{"1,000",10}{"10,000",10}{"10k/1k",8}");
        Print("keystroke, cursor down", small.Down, large.Down);
        Print("keystroke, page down", small.PageDown, large.PageDown);
        Print("one change (assign/triage/new)", small.OneChange, large.OneChange);
    }

    [Fact]
    public void TenThousandLoaded_ABurstOfAThousandChangesIsOneBatch()
    {
        const int loaded = 10_000;
        var requests = Make(loaded);
        var clock = Stopwatch.StartNew();
        using var console = new ConsoleHarness(requests, revision: loaded);
        console.App.LayoutAndDraw();
        var loadMs = clock.Elapsed.TotalMilliseconds;
        TimeKeys(console, Key.CursorDown, 40);
        var selected = console.Window.Selected!.Name;

        // The burst arrives as the watch loop delivers it: posted from another thread, drained by
        // one app.Invoke on the UI thread, applied in one batch and drawn once.
        FeedInbox? live = null;
        live = new FeedInbox(() => console.App.Invoke(() => console.Model.Apply(live!.Drain())));
        var changes = Enumerable.Range(1, Burst).Select(i =>
        {
            var revision = loaded + i;
            return i % 10 == 0
                ? Requests.Change(revision, ChangeKind.Created, Requests.Make(loaded + i, Urgency.Routine, revision: revision))
                : Requests.Change(revision, ChangeKind.Assigned, requests[(i * 7) % loaded].With(revision, r =>
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

        Assert.Equal(loaded + Burst, console.Model.Revision);
        Assert.Equal(loaded + (Burst / 10), console.Model.Count);
        Assert.Equal(selected, console.Window.Selected!.Name);
        Assert.Contains($"rev {loaded + Burst}", console.Screen, StringComparison.Ordinal);
        Assert.Empty(live.Drain());

        output.WriteLine($"load {loaded:N0} requests + first draw: {loadMs:F0} ms");
        output.WriteLine($"burst of {Burst:N0} changes with {loaded:N0} loaded, one batch + redraw: {burstMs:F0} ms");
    }

    private static HelpRequest[] Make(int count)
    {
        var languages = new[] { "ru", "ce", "en", "uk", "tg" };
        var messages = new[] { Requests.Russian, Requests.Chechen, "Need legal advice about a summons.", "Потрібна допомога з евакуацією" };
        return Enumerable.Range(1, count).Select(i => Requests.Make(i, (Urgency)(1 + (i % 3)), messages[i % messages.Length],
            language: languages[i % languages.Length], channel: (Channel)(1 + (i % 9)), revision: i)).ToArray();
    }

    private static Figures Measure(int loaded)
    {
        var requests = Make(loaded);
        using var console = new ConsoleHarness(requests, revision: loaded);
        console.App.LayoutAndDraw();
        TimeKeys(console, Key.CursorDown, 20);
        TimeKeys(console, Key.CursorUp, 20);
        var down = TimeKeys(console, Key.CursorDown, 200);
        var pageDown = TimeKeys(console, Key.PageDown, 50);
        var selected = console.Window.Selected!.Name;

        // One change at a time, each drawn before the next, spread over the whole queue: a claim
        // (the row stays), a triage to urgent (the row moves) and a new request (a row is inserted).
        const int changes = 150;
        var times = new double[changes];
        var revision = (long)loaded;
        for (var i = 0; i < changes; i++)
        {
            var target = requests[(int)((i * 7919L) % loaded)];
            revision++;
            var change = (i % 3) switch
            {
                0 => Requests.Change(revision, ChangeKind.Assigned, target.With(revision, r =>
                {
                    r.Assignee = "operators/timur";
                    r.State = RequestState.Assigned;
                })),
                1 => Requests.Change(revision, ChangeKind.Updated, target.With(revision, r => r.Urgency = Urgency.Urgent)),
                _ => Requests.Change(revision, ChangeKind.Created, Requests.Make(loaded + i + 1, Urgency.Routine, revision: revision)),
            };
            var clock = Stopwatch.StartNew();
            console.Model.Apply([change]);
            console.App.LayoutAndDraw();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }

        Assert.Equal(selected, console.Window.Selected!.Name);
        Assert.Contains($"rev {revision}", console.Screen, StringComparison.Ordinal);
        return new Figures(down, pageDown, Median(times));
    }

    /// <summary>The median time of <paramref name="count"/> presses, each handled and drawn.</summary>
    private static double TimeKeys(ConsoleHarness console, Key key, int count)
    {
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            console.App.InjectKey(key);
            console.App.LayoutAndDraw();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        return Median(times);
    }

    private static double Median(double[] times)
    {
        Array.Sort(times);
        return times[times.Length / 2];
    }

    private void Print(string what, double small, double large) =>
        output.WriteLine($"{what,-34}{small,8:F2}ms{large,8:F2}ms{large / small,7:F1}x");

    private readonly record struct Figures(double Down, double PageDown, double OneChange);
}
