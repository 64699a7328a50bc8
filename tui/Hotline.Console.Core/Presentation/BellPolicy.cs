using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>A live event for the alert line, and whether it rings the terminal bell.</summary>
public sealed record LiveAlert(string Text, bool Danger, bool Rings);

/// <summary>
/// Which live event of a batch the operator is told of, and when the bell rings: a request taken
/// from them outranks everything (it is about work they hold); then a request past its second
/// escalation threshold (for supervisors and admins a banner telling them to act), a new urgent
/// request, one past its first threshold, and a follow-up of theirs falling due (anyone's, for a
/// supervisor). The server sends each escalation step and each due follow-up once, so each rings
/// once. Nothing else rings: a bell for every change would soon be ignored.
/// </summary>
public static class BellPolicy
{
    /// <param name="takenFromMe">The alert for a request taken from the operator in this batch, if any (<see cref="HeldRequests.Follow"/>).</param>
    /// <param name="bellOn">The operator's bell setting (b, --no-bell).</param>
    /// <param name="me">The signed-in operator, when known: whose follow-ups are theirs, and whether they supervise.</param>
    public static LiveAlert? For(QueueDelta delta, string? takenFromMe, bool bellOn, Operator? me = null)
    {
        if (takenFromMe is not null)
        {
            return new LiveAlert(takenFromMe, Danger: true, bellOn);
        }
        var supervises = me is { Role: >= OperatorRole.Supervisor };
        var overdue = delta.Escalated.Where(r => WaitMarks.Step(r) > 0)
            .OrderByDescending(WaitMarks.Step).ThenByDescending(r => r.Urgency).FirstOrDefault();
        if (overdue is not null && WaitMarks.Step(overdue) >= 2)
        {
            return new LiveAlert(supervises
                ? $"SUPERVISOR: #{overdue.Number} {Labels.UrgencyLong(overdue.Urgency)} still unclaimed (!2); A gives it to someone."
                : $"Overdue !2: #{overdue.Number} {Labels.UrgencyLong(overdue.Urgency)} still unclaimed; a claims it.", Danger: true, bellOn);
        }
        var alarming = delta.Created.Where(r => r.Urgency >= Urgency.Urgent).OrderByDescending(r => r.Urgency).FirstOrDefault();
        if (alarming is not null)
        {
            return new LiveAlert(
                $"New {Labels.UrgencyLong(alarming.Urgency)} request #{alarming.Number} ({Labels.ChannelLong(alarming.Channel)}); ! jumps to the newest danger.",
                alarming.Urgency == Urgency.ImmediateDanger, bellOn);
        }
        if (overdue is not null)
        {
            return new LiveAlert($"Overdue !1: #{overdue.Number} {Labels.UrgencyLong(overdue.Urgency)} waits unclaimed; w jumps to the longest waiting.",
                overdue.Urgency == Urgency.ImmediateDanger, bellOn);
        }
        var due = delta.FollowUpsDue.FirstOrDefault(r => r.FollowUp is { Due: true } && (supervises || (me is not null && r.Assignee == me.Name)));
        return due is null
            ? null
            : new LiveAlert($"Follow-up due (F!): #{due.Number}: {Labels.FirstLine(due.FollowUp.Reason)}; 5 lists every due one.", Danger: false, bellOn);
    }
}
