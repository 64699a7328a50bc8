using Hotline.Console.Operations;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>
/// Runs one action on a request at a time, so a double key press cannot send twice, and reports
/// its outcome on the result line. Any failure is reported there too: an action must not take
/// the console down mid-shift. The key returns at once; <see cref="Running"/> is the action
/// still under way, which tests can await.
/// </summary>
/// <remarks>UI thread only.</remarks>
/// <param name="clearResult">Takes the last outcome off the result line when a new action starts.</param>
/// <param name="finished">Runs when an action has ended, whatever its outcome.</param>
internal sealed class ActionRunner(IActionScreen screen, Action clearResult, Action finished)
{
    /// <summary>True while an action waits for its dialog or the server.</summary>
    public bool Busy { get; private set; }

    /// <summary>The request the running action is on, so its own change is not taken for a colleague's takeover.</summary>
    public string? ActingOn { get; private set; }

    public Task Running { get; private set; } = Task.CompletedTask;

    public void Start(HelpRequest request, Func<HelpRequest, Task<ActionOutcome?>> action)
    {
        if (Busy)
        {
            return;
        }
        Busy = true;
        ActingOn = request.Name;
        // A new action replaces the last one's outcome; until it has one, the hints show.
        clearResult();
        Running = RunAsync(request, action);
    }

    private async Task RunAsync(HelpRequest request, Func<HelpRequest, Task<ActionOutcome?>> action)
    {
        try
        {
            var outcome = await action(request);
            if (outcome is not null && !screen.Panicked)
            {
                screen.ShowResult(outcome.Message, outcome.Succeeded);
            }
        }
        catch (Exception error)
        {
            // Whatever it is, even OutOfMemoryException (most often one huge allocation that failed,
            // not a heap with nothing left), the console must stay up mid-shift. Its type is enough
            // to report: a message may hold what a requester wrote. Nothing the operator typed is
            // lost (a note stays a draft).
            screen.ShowResult($"#{request.Number}: that did not work ({error.GetType().Name}). Nothing was lost; try again.", ok: false);
        }
        finally
        {
            Busy = false;
            ActingOn = null;
            finished();
        }
    }
}
