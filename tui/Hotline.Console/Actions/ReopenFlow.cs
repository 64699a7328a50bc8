using Hotline.Console.Operations;
using Hotline.Console.Views;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>o: reopen a closed request, saying why.</summary>
internal sealed class ReopenFlow(RequestOperations operations, Palette palette, IActionScreen screen)
{
    public async Task<ActionOutcome?> RunAsync(HelpRequest request)
    {
        if (screen.App is not { } app)
        {
            return null;
        }
        using var dialog = new ReopenDialog(request.Number, palette);
        app.Run(dialog);
        return dialog.Confirmed && !screen.Panicked ? await operations.ReopenAsync(request, dialog.Comment.Text.Trim()) : null;
    }
}
