using Hotline.Console.Actions;
using Hotline.Console.Operations;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;
using Microsoft.Extensions.Time.Testing;
using Terminal.Gui.App;

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
        Model.Apply(
        [
            new IdentityKnown(Client.Me, Client.People),
            new StreamOpened(0),
            new ConnectionChanged(ConnectionStatus.Connected),
            Requests.Snapshot(requests),
            Requests.SnapshotEnd(100),
        ]);
        Screen = new ResultLineScreen(App);
        Flows = new ActionFlows(Model, new RequestOperations(Client, Model, Time, CancellationToken.None), Drafts, new Palette(ColorMode.Monochrome), Time, TimeZoneInfo.Utc, Screen);
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
    /// Runs <paramref name="flow"/> on request <paramref name="number"/> as a key would, answering
    /// the dialog of type <typeparamref name="TDialog"/> it opens with <paramref name="answer"/>
    /// (keys injected inside the dialog's own loop), and returns the result line once the flow has ended.
    /// </summary>
    public async Task<string?> RunAsync<TDialog>(long number, Func<ActionFlows, Func<HelpRequest, Task<ActionOutcome?>>> flow,
        Action<TDialog> answer)
        where TDialog : class
    {
        var answered = false;
        void OnIteration(object? sender, EventArgs<IApplication?> e)
        {
            if (!answered && App.TopRunnable is TDialog dialog)
            {
                answered = true;
                answer(dialog);
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
            return await RunAsync(number, flow);
        }
        finally
        {
            App.Iteration -= OnIteration;
            App.RemoveTimeout(guard!);
            Assert.True(answered, $"no {typeof(TDialog).Name} opened");
        }
    }

    /// <summary>Runs a flow that opens no dialog on request <paramref name="number"/> and returns the result line once it has ended.</summary>
    public async Task<string?> RunAsync(long number, Func<ActionFlows, Func<HelpRequest, Task<ActionOutcome?>>> flow)
    {
        Runner.Start(Model.Find($"requests/r{number}")!, flow(Flows));
        await Runner.Running.DefaultTimeout();
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

        public List<string> Calls { get; } = [];

        public void ShowResult(string text, bool ok)
        {
            Result = text;
            ResultOk = ok;
        }

        public void ShowDetail() => Calls.Add(nameof(ShowDetail));

        public void SetFilter(QueueFilter filter) => Filter = filter;

        public bool CanShow(HelpRequest request) => true;

        public void JumpTo(HelpRequest request) => Calls.Add($"{nameof(JumpTo)} #{request.Number}");

        public void RequestQuit() => Calls.Add(nameof(RequestQuit));
    }
}
