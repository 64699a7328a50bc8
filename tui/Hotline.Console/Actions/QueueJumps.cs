using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>Jumps to the request that most needs someone, wherever the current view or scroll position is.</summary>
internal sealed class QueueJumps(QueueModel model, IActionScreen screen)
{
    /// <summary>!: the newest IMMEDIATE DANGER request (danger rows sort oldest first, so a new one can be off screen).</summary>
    public void ToNewestDanger()
    {
        var newest = model.Requests.Where(r => r.Urgency == Urgency.ImmediateDanger && r.State != RequestState.Closed)
            .MaxBy(r => (r.CreateTime?.ToDateTimeOffset() ?? DateTimeOffset.MinValue, r.Number));
        if (newest is null)
        {
            screen.ShowResult("No open IMMEDIATE DANGER request.", ok: true);
            return;
        }
        screen.JumpTo(newest);
    }

    /// <summary>w: the request that has waited longest with nobody holding it.</summary>
    public void ToLongestWaiting()
    {
        var oldest = model.Requests.Where(r => r.State != RequestState.Closed && r.Assignee.Length == 0)
            .MinBy(r => (r.CreateTime?.ToDateTimeOffset() ?? DateTimeOffset.MaxValue, r.Number));
        if (oldest is null)
        {
            screen.ShowResult("Nobody is waiting: every open request has someone.", ok: true);
            return;
        }
        screen.JumpTo(oldest);
    }
}
