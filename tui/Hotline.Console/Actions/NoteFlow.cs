using Hotline.Console.Operations;
using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>
/// n: write a note. What the operator typed is kept as a draft whatever happens (Esc, a refusal,
/// the link down) until the server has the note; F2 saves, and a quit key in the dialog quits.
/// </summary>
internal sealed class NoteFlow(NoteDrafts drafts, RequestOperations operations, Palette palette, IActionScreen screen)
{
    public async Task<ActionOutcome?> RunAsync(HelpRequest request)
    {
        if (screen.App is not { } app)
        {
            return null;
        }
        using var dialog = new NoteDialog(request.Number, drafts.Find(request.Name)?.Text ?? "", palette);
        app.Run(dialog);
        var draft = drafts.Keep(request.Name, dialog.NoteText);
        screen.ShowDetail();
        if (screen.Panicked)
        {
            return null;
        }
        if (dialog.QuitRequested)
        {
            screen.RequestQuit();
            return null;
        }
        if (draft is null || !dialog.Saved)
        {
            return draft is null ? null : ActionOutcome.Done($"Draft note for #{request.Number} kept; press n to go on with it.");
        }
        var outcome = await operations.AddNoteAsync(request, draft.Text, draft.RequestId);
        if (outcome.Succeeded)
        {
            drafts.Forget(request.Name);
            screen.ShowDetail();
            return outcome;
        }
        return ActionOutcome.Refused(outcome.Message + " Your note is kept as a draft (n).");
    }
}
