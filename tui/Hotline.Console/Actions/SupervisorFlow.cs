using Hotline.Console.Operations;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Console.Views;

namespace Hotline.Console.Actions;

/// <summary>
/// S: the supervisor screen. Only supervisors and admins may open it: anyone else is told so at
/// once, without a call the server would refuse anyway.
/// </summary>
internal sealed class SupervisorFlow(RequestOperations operations, QueueModel model, Palette palette, TimeProvider time, TimeZoneInfo zone, IActionScreen screen)
{
    public void Run()
    {
        if (screen.App is not { } app)
        {
            return;
        }
        if (!SupervisorLines.MayOpen(model.Me))
        {
            screen.ShowResult(SupervisorLines.NotForYou(model.Me), ok: false);
            return;
        }
        using var dialog = new SupervisorDialog(app, operations.Supervision(), model, palette, time, zone);
        app.Run(dialog);
    }
}
