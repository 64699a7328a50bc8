using Hotline.Console.Operations;
using Hotline.Console.Views;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>F: follow up later — a time and a reason; the request waits until then.</summary>
internal sealed class FollowUpFlow(RequestOperations operations, Palette palette, TimeProvider time, TimeZoneInfo zone, IActionScreen screen)
{
    public async Task<ActionOutcome?> RunAsync(HelpRequest request)
    {
        if (screen.App is not { } app)
        {
            return null;
        }
        using var dialog = new FollowUpDialog(request.Number, palette, time.GetUtcNow, zone);
        app.Run(dialog);
        if (!dialog.Chosen || screen.Panicked)
        {
            return null;
        }
        return dialog.TryAccept(out var problem)
            ? await operations.SetFollowUpAsync(request, dialog.DueTime!.Value, dialog.ChosenReason)
            : ActionOutcome.Refused($"#{request.Number}: {problem}");
    }
}
