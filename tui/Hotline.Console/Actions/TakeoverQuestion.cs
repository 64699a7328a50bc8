using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>
/// Before claiming or releasing a request a colleague holds (only a supervisor or an admin may),
/// asks first and names the holder: a takeover is never silent.
/// </summary>
internal sealed class TakeoverQuestion(QueueModel model, Palette palette, IActionScreen screen)
{
    /// <summary>True when nobody else holds <paramref name="request"/>, or the operator said yes.</summary>
    /// <param name="question">The question, given the holder's display name.</param>
    public bool Allows(HelpRequest request, string title, Func<string, string> question, string yes)
    {
        if (request.Assignee.Length == 0 || request.Assignee == model.Me?.Name)
        {
            return true;
        }
        if (screen.App is not { } app)
        {
            return false;
        }
        using var confirm = new ConfirmDialog(title, question(Labels.Person(request.Assignee, model.DisplayName)), yes, palette);
        app.Run(confirm);
        return confirm.Confirmed && !screen.Panicked;
    }
}
