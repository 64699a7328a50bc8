using Hotline.Console.Operations;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>
/// t: the audit trail of the request. Only supervisors and admins may read it: anyone else is
/// told so at once, without a call the server would refuse (and audit) anyway.
/// </summary>
internal sealed class AuditFlow(RequestOperations operations, QueueModel model, Palette palette, TimeZoneInfo zone, IActionScreen screen)
{
    public void Run(HelpRequest request)
    {
        if (screen.App is not { } app)
        {
            screen.ShowResult("Select a request first.", ok: false);
            return;
        }
        if (!AuditRows.MayRead(model.Me))
        {
            screen.ShowResult(AuditRows.NotForYou(model.Me), ok: false);
            return;
        }
        using var dialog = new AuditDialog(app, operations.Audit(request), model, palette, zone);
        app.Run(dialog);
    }
}
