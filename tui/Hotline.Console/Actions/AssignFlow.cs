using Hotline.Console.Operations;
using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>A: give the request to another operator, chosen from those who may hold one.</summary>
internal sealed class AssignFlow(QueueModel model, RequestOperations operations, Palette palette, IActionScreen screen)
{
    public async Task<ActionOutcome?> RunAsync(HelpRequest request)
    {
        var people = model.Operators.Where(o => o.Role >= OperatorRole.Operator && !o.Disabled).ToList();
        if (people.Count == 0)
        {
            return ActionOutcome.Refused("No operator list yet: the console is not connected.");
        }
        if (screen.App is not { } app)
        {
            return null;
        }
        using var dialog = new AssignDialog(request.Number, people, request.Assignee, palette);
        app.Run(dialog);
        return dialog.Chosen is { } chosen && !screen.Panicked ? await operations.AssignAsync(request, chosen, dialog.HandOverNote.Text.Trim()) : null;
    }
}
