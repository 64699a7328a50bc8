using Hotline.Console.Actions;
using Hotline.Console.Operations;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;
using Microsoft.Extensions.Time.Testing;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;

namespace Hotline.Console.Tests.Actions;

/// <summary>
/// The action flows without the console window: the real flows, dialogs and operations against a
/// <see cref="FakeHotlineClient"/>, run by the real <see cref="ActionRunner"/> on a headless
/// application, reporting to a screen that only records its result line.
/// </summary>
internal sealed class FlowHarness : IDisposable
{
    public FlowHarness(params HelpRequest[] requests)
    {
        App = TestSetup.NewApp();
        Client.Store(requests);
        Model.Apply(Client.SignedIn(requests, revision: 100));
        Screen = new ResultLineScreen(App);
        Flows = new ActionFlows(Model, new RequestOperations(Client, Model, Time, CancellationToken.None), Drafts, new Palette(ColorMode.Monochrome),
            Time, TimeZoneInfo.Utc, Screen);
        Runner = new ActionRunner(Screen, () => Screen.Result = null, () => Finished++);
    }

    public IApplication App { get; }

    public FakeHotlineClient Client { get; } = new();

    public QueueModel Model { get; } = new();

    public NoteDrafts Drafts { get; } = new();

    public FakeTimeProvider Time { get; } = new(Requests.T0.AddMinutes(30));

    public ResultLineScreen Screen { get; }

    public ActionFlows Flows { get; }

    public ActionRunner Runner { get; }

    public int Finished { get; private set; }

    /// <summary>
    /// Runs <paramref name="flow"/> on request <paramref name="number"/> as a key would and returns
    /// the result line once it has ended. With <paramref name="dialogKeys"/>, the flow must open a
    /// dialog, which is answered with them inside its own loop.
    /// </summary>
    public async Task<string?> RunAsync(long number, Func<HelpRequest, Task<ActionOutcome?>> flow, params Key[] dialogKeys)
    {
        var answered = false;
        void OnIteration(object? sender, EventArgs<IApplication?> e)
        {
            if (!answered && dialogKeys.Length > 0 && App.TopRunnable is not null)
            {
                answered = true;
                foreach (var key in dialogKeys)
                {
                    App.InjectKey(key);
                }
            }
        }
        App.Iteration += OnIteration;
        // A dialog that does not close must fail the test, not hang the run.
        var deadline = DateTime.UtcNow + TaskTimeouts.Default;
        var guard = App.AddTimeout(TimeSpan.FromMilliseconds(100), () =>
        {
            if (DateTime.UtcNow > deadline && App.TopRunnable is not null)
            {
                App.RequestStop();
            }
            return true;
        });
        try
        {
            Runner.Start(Model.Find($"requests/r{number}")!, flow);
            await Runner.Running.DefaultTimeout();
        }
        finally
        {
            App.Iteration -= OnIteration;
            App.RemoveTimeout(guard!);
        }
        Assert.Equal(dialogKeys.Length > 0, answered);
        Assert.False(Runner.Busy);
        return Screen.Result;
    }

    public void Dispose() => App.Dispose();

    /// <summary>The screen as a flow sees it, keeping only what its result line says.</summary>
    internal sealed class ResultLineScreen(IApplication app) : IActionScreen
    {
        public IApplication? App => app;

        public bool Panicked { get; set; }

        public QueueFilter Filter { get; private set; } = QueueFilter.Default;

        public string? Result { get; set; }

        public bool? ResultOk { get; private set; }

        public void ShowResult(string text, bool ok)
        {
            Result = text;
            ResultOk = ok;
        }

        public void ShowDetail()
        {
            // The flows' own outcome is what these tests read; the detail pane is the window's tests' concern.
        }

        public void SetFilter(QueueFilter filter) => Filter = filter;

        public bool CanShow(HelpRequest request) => true;

        public void JumpTo(HelpRequest request)
        {
            // Only the earlier-contacts dialog jumps, and these tests do not choose from it.
        }

        public void RequestQuit()
        {
            // Only a quit key inside the note dialog asks, and these tests do not press one.
        }
    }
}
