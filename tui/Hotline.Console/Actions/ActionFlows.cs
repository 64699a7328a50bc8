using Hotline.Console.Operations;
using Hotline.Console.State;
using Hotline.Console.Views;

namespace Hotline.Console.Actions;

/// <summary>Every action flow of the main screen, built once over the same operations, model and screen.</summary>
internal sealed class ActionFlows
{
    public ActionFlows(QueueModel model, RequestOperations operations, NoteDrafts drafts, Palette palette, TimeProvider time,
        TimeZoneInfo zone, IActionScreen screen)
    {
        var takeover = new TakeoverQuestion(model, palette, screen);
        Claim = new ClaimFlow(operations, takeover);
        Release = new ReleaseFlow(operations, takeover);
        Assign = new AssignFlow(model, operations, palette, screen);
        Note = new NoteFlow(drafts, operations, palette, screen);
        Triage = new TriageFlow(operations, palette, screen);
        Close = new CloseFlow(operations, palette, screen);
        Reopen = new ReopenFlow(operations, palette, screen);
        FollowUp = new FollowUpFlow(operations, palette, time, zone, screen);
        Related = new RelatedFlow(operations, model, palette, time, zone, screen);
        Audit = new AuditFlow(operations, model, palette, zone, screen);
        Supervisor = new SupervisorFlow(operations, model, palette, time, zone, screen);
        Filter = new FilterFlow(palette, screen);
        Quit = new QuitFlow(drafts, model, palette, screen);
        Jumps = new QueueJumps(model, screen);
    }

    public ClaimFlow Claim { get; }

    public ReleaseFlow Release { get; }

    public AssignFlow Assign { get; }

    public NoteFlow Note { get; }

    public TriageFlow Triage { get; }

    public CloseFlow Close { get; }

    public ReopenFlow Reopen { get; }

    public FollowUpFlow FollowUp { get; }

    public RelatedFlow Related { get; }

    public AuditFlow Audit { get; }

    public SupervisorFlow Supervisor { get; }

    public FilterFlow Filter { get; }

    public QuitFlow Quit { get; }

    public QueueJumps Jumps { get; }
}
