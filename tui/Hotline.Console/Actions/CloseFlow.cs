using Hotline.Console.Operations;
using Hotline.Console.Views;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>c: close the request with a resolution and a comment.</summary>
internal sealed class CloseFlow(RequestOperations operations, Palette palette, IActionScreen screen)
{
    public async Task<ActionOutcome?> RunAsync(HelpRequest request)
    {
        if (screen.App is not { } app)
        {
            return null;
        }
        using var dialog = new CloseDialog(request.Number, palette);
        app.Run(dialog);
        return dialog.Confirmed && !screen.Panicked
            ? await operations.CloseAsync(request, dialog.ChosenResolution, dialog.Comment.Text.Trim())
            : null;
    }
}
