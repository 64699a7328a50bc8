using Hotline.Console.Operations;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Contract.V1;
using Terminal.Gui.App;

namespace Hotline.Console.Views;

/// <summary>
/// The audit trail of the selected request, oldest first, for supervisors: who read or changed it,
/// what they did and when, never what it says. Loaded a page at a time; Esc closes.
/// </summary>
/// <remarks>UI thread only; paging, late answers and reconnects as <see cref="PagedListDialog{T}"/>.</remarks>
internal sealed class AuditDialog : PagedListDialog<AuditEvent>
{
    private readonly AuditTrail _trail;

    public AuditDialog(IApplication app, AuditTrail trail, QueueModel model, Palette palette, TimeZoneInfo zone)
        : base(app, trail, model, palette, AuditRows.Title(trail.Origin.Number),
            new AuditTableSource(trail.Items, new AuditRowContext(trail.Origin.Name, model.DisplayName, name => model.Find(name)?.Number, zone)),
            AuditRows.MinWidths)
    {
        _trail = trail;
        Start();
    }

    protected override string SummaryText() =>
        AuditRows.Summary(_trail.Origin.Number, _trail.Status == PageLoad.Loading, _trail.Items.Count, _trail.HasMore, _trail.Failure);

    protected override string HintText() => AuditRows.Hint(_trail.Status == PageLoad.Failed, _trail.HasMore);
}
