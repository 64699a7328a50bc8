using Hotline.Console.Operations;
using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>
/// e: the other requests from the same requester. One the queue can show is selected there,
/// switching to all open or closed today if the current view hides it; others the dialog shows
/// read-only itself.
/// </summary>
internal sealed class RelatedFlow(RequestOperations operations, QueueModel model, Palette palette, TimeProvider time, TimeZoneInfo zone,
    IActionScreen screen)
{
    public void Run(HelpRequest request)
    {
        if (screen.App is not { } app)
        {
            screen.ShowResult("Select a request first.", ok: false);
            return;
        }
        if (request.ContactHandle.Length == 0)
        {
            // The server links requests by their handle: without one there is nothing to ask for.
            screen.ShowResult($"#{request.Number} came without a contact handle, so no other request is linked to it.", ok: false);
            return;
        }
        using var dialog = new RelatedDialog(app, operations.Related(request), screen.CanShow, model, palette, time, zone);
        app.Run(dialog);
        if (dialog.Chosen is { } chosen && !screen.Panicked)
        {
            screen.JumpTo(chosen);
        }
    }
}
