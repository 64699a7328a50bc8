using Hotline.Console.Operations;
using Hotline.Console.Views;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>u: change the request's urgency and tags.</summary>
internal sealed class TriageFlow(RequestOperations operations, Palette palette, IActionScreen screen)
{
    public async Task<ActionOutcome?> RunAsync(HelpRequest request)
    {
        if (screen.App is not { } app)
        {
            return null;
        }
        using var dialog = new TriageDialog(request, palette);
        app.Run(dialog);
        return dialog.Saved && !screen.Panicked ? await operations.TriageAsync(request, dialog.ChosenUrgency, dialog.ChosenTags) : null;
    }
}
