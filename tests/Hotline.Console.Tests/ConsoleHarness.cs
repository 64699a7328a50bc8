using Hotline.Console.Operations;
using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;
using Microsoft.Extensions.Time.Testing;
using Terminal.Gui.App;
using Terminal.Gui.Drawing;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Attribute = Terminal.Gui.Drawing.Attribute;

namespace Hotline.Console.Tests;

/// <summary>
/// The real console window on a headless screen, fed through the real model, acting through
/// the real operations against a <see cref="FakeHotlineClient"/>. Time is fake (ages, countdowns).
/// </summary>
internal sealed class ConsoleHarness : IDisposable
{
    private readonly SessionToken _session;

    public ConsoleHarness(IEnumerable<HelpRequest> requests, int width = 80, int height = 24, ColorMode colors = ColorMode.Full, long revision = 100)
    {
        App = TestSetup.NewApp(width, height);
        Time = new FakeTimeProvider(Requests.T0.AddMinutes(30));
        var all = requests.ToArray();
        Client.Store(all);
        Window = new ConsoleWindow(Model, new RequestOperations(Client, Model, Time, CancellationToken.None), Drafts, new Palette(colors), Time, TimeZoneInfo.Utc, bell: true,
            () => Bells++);
        _session = App.Begin(Window)!;
        Window.Attach(App);
        Model.Apply(Client.SignedIn(all, revision));
        Window.Table.SetFocus();
    }

    public IApplication App { get; }

    public FakeTimeProvider Time { get; }

    public QueueModel Model { get; } = new();

    public NoteDrafts Drafts { get; } = new();

    public FakeHotlineClient Client { get; } = new();

    public ConsoleWindow Window { get; }

    public int Bells { get; private set; }

    public string Screen => App.Screen();

    public string[] Lines => Screen.Split('\n');

    /// <summary>The screen with every run of whitespace as one space, for text that may wrap.</summary>
    public string Flat => System.Text.RegularExpressions.Regex.Replace(Screen, @"\s+", " ");

    public void Feed(params FeedEvent[] events) => Model.Apply(events);

    public void Press(char key) => App.InjectKey(new Key(key));

    public void Press(Key key) => App.InjectKey(key);

    public void Type(string text)
    {
        foreach (var c in text)
        {
            App.InjectKey(new Key(c));
        }
    }

    /// <summary>The attribute of the first cell showing <paramref name="text"/> on screen.</summary>
    public Attribute AttributeAt(string text)
    {
        var lines = Lines;
        var row = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        Assert.True(row >= 0, $"'{text}' is not on screen:\n{string.Join('\n', lines)}");
        var col = lines[row].IndexOf(text, StringComparison.Ordinal);
        return App.Driver!.Contents![row, col].Attribute!.Value;
    }

    /// <summary>
    /// Presses <paramref name="key"/>, which opens a modal dialog of type <typeparamref name="TDialog"/>;
    /// <paramref name="drive"/> runs inside the dialog's own loop and must close it. Returns the
    /// screen as it was when the dialog first showed.
    /// </summary>
    public string WithDialog<TDialog>(Key key, Action<TDialog> drive)
        where TDialog : class
    {
        string? dialogScreen = null;
        var driven = false;
        void OnIteration(object? sender, EventArgs<IApplication?> e)
        {
            if (driven || App.TopRunnable is not TDialog dialog)
            {
                return;
            }
            driven = true;
            dialogScreen = App.Screen();
            drive(dialog);
        }
        App.Iteration += OnIteration;
        // A dialog that does not close must fail the test, not hang the run.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var guard = App.AddTimeout(TimeSpan.FromMilliseconds(100), () =>
        {
            if (DateTime.UtcNow > deadline && App.TopRunnable is not ConsoleWindow)
            {
                App.RequestStop();
            }
            return true;
        });
        try
        {
            App.InjectKey(key);
        }
        finally
        {
            App.Iteration -= OnIteration;
            App.RemoveTimeout(guard!);
        }
        Assert.True(driven, $"no {typeof(TDialog).Name} opened");
        Assert.Same(Window, App.TopRunnable);
        return dialogScreen!;
    }

    /// <summary>A dialog's text (two columns in from each side) with its rows joined and runs of whitespace as one space, for a message that wraps.</summary>
    public static string Inside(string screen) =>
        System.Text.RegularExpressions.Regex.Replace(string.Join(' ', screen.Split('\n').Where(l => l.Length >= 76).Select(l => l[2..76])), @"\s+", " ");

    /// <summary>Selects the queue row of request <paramref name="number"/>.</summary>
    public void Select(long number)
    {
        var row = Window.VisibleRows.ToList().FindIndex(r => r.Number == number);
        Window.Table.SetSelection(0, row, false);
        Assert.Equal(number, Window.Selected!.Number);
    }

    /// <summary>Runs the work queued for the UI thread (answers that came from another thread) until the screen shows what is awaited.</summary>
    public string WaitForScreen(Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow + TaskTimeouts.Default;
        var screen = Screen;
        while (!condition(screen) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
            App.TimedEvents!.RunTimers();
            screen = Screen;
        }
        Assert.True(condition(screen), screen);
        return screen;
    }

    public void Dispose()
    {
        App.End(_session);
        Window.Dispose();
        App.Dispose();
    }
}
