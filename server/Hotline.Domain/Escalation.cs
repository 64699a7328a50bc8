namespace Hotline.Domain;

/// <summary>How long an unclaimed request of one urgency may wait before each escalation step.</summary>
/// <param name="First">Waiting this long makes it overdue (step 1): the queue marks it and consoles ring.</param>
/// <param name="Second">Waiting this long (more than <paramref name="First"/>) is step 2: supervisors get a banner.</param>
public sealed record EscalationThreshold(TimeSpan First, TimeSpan Second);

/// <summary>
/// The thresholds per urgency. Decides, from a request alone and a time, which escalation step it
/// has reached and when it reaches the next: pure, so the same rule runs in the server's pass and
/// inside the store's writer against the current row.
/// </summary>
public sealed record EscalationRules(EscalationThreshold ImmediateDanger, EscalationThreshold Urgent, EscalationThreshold Routine)
{
    /// <summary>The defaults: IMMEDIATE DANGER 5 / 15 minutes, URGENT 30 / 60, ROUTINE 60 / 90 (the README says why).</summary>
    public static EscalationRules Default { get; } = new(
        new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)),
        new(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(60)),
        new(TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(90)));

    public EscalationThreshold For(Urgency urgency) => urgency switch
    {
        Urgency.ImmediateDanger => ImmediateDanger,
        Urgency.Urgent => Urgent,
        _ => Routine,
    };

    /// <summary>True while the escalation clock runs: the request is open and nobody holds it.</summary>
    public static bool IsWaitingUnclaimed(HelpRequest request) => request.State == RequestState.New && request.Assignee is null;

    /// <summary>The step <paramref name="request"/> has reached at <paramref name="now"/>: 0 when claimed, closed or not yet overdue.</summary>
    public int StepAt(HelpRequest request, DateTimeOffset now)
    {
        if (!IsWaitingUnclaimed(request))
        {
            return 0;
        }
        var waited = now - request.WaitingSince;
        var threshold = For(request.Urgency);
        return waited >= threshold.Second ? 2 : waited >= threshold.First ? 1 : 0;
    }

    /// <summary>
    /// When the request reaches a step above the one recorded on it, or null when it never will
    /// (claimed, closed, or already at step 2). May be in the past: the crossing is then due now.
    /// </summary>
    public DateTimeOffset? NextCrossing(HelpRequest request)
    {
        if (!IsWaitingUnclaimed(request) || request.EscalationStep >= 2)
        {
            return null;
        }
        var threshold = For(request.Urgency);
        return request.WaitingSince + (request.EscalationStep == 0 ? threshold.First : threshold.Second);
    }

    /// <summary>Descriptions of what is wrong with these settings; empty when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var (name, threshold) in new[] { ("ImmediateDanger", ImmediateDanger), ("Urgent", Urgent), ("Routine", Routine) })
        {
            if (threshold.First <= TimeSpan.Zero)
            {
                yield return $"{name}: the first threshold must be longer than zero; it is {threshold.First}.";
            }
            if (threshold.Second <= threshold.First)
            {
                yield return $"{name}: the second threshold ({threshold.Second}) must be longer than the first ({threshold.First}).";
            }
            if (threshold.Second > TimeSpan.FromDays(7))
            {
                yield return $"{name}: the second threshold must be at most 7 days; it is {threshold.Second}.";
            }
        }
    }
}

/// <summary>What the server acts as when it records a crossing or a due follow-up: no person, no token.</summary>
public static class ServerActor
{
    /// <summary>The actor the audit trail and the live feed name for changes the server decides by itself.</summary>
    public const string Id = "hotline";

    public static OperatorAccount Account { get; } = new(Id, "Hotline server", Role.Admin);
}

/// <summary>
/// Records the escalation step an unclaimed request has reached now. Decided inside the writer
/// against the current row: a request claimed, or released again, since the pass looked at it is
/// left as it is. A request that crossed both thresholds while the server was down goes straight
/// to step 2, in one change.
/// </summary>
public sealed record EscalateCommand(EscalationRules Rules) : RequestCommand(ServerActor.Account, null)
{
    public override ChangeKind Kind => ChangeKind.Escalated;

    protected override MutationOutcome Decide(HelpRequest current, DateTimeOffset now)
    {
        var step = Rules.StepAt(current, now);
        return step > current.EscalationStep ? Changed(current with { EscalationStep = step }) : MutationOutcome.Unchanged(current);
    }
}

/// <summary>Records that a request's follow-up fell due; nothing changes when it is gone, already due, or not due yet.</summary>
public sealed record MarkFollowUpDueCommand() : RequestCommand(ServerActor.Account, null)
{
    public override ChangeKind Kind => ChangeKind.FollowUpDue;

    protected override MutationOutcome Decide(HelpRequest current, DateTimeOffset now) =>
        current.IsOpen && current.FollowUp is { Due: false } followUp && followUp.DueTime <= now
            ? Changed(current with { FollowUp = followUp with { Due = true } })
            : MutationOutcome.Unchanged(current);
}

/// <summary>
/// The holder (or a supervisor) promises to come back to a held request at <paramref name="DueTime"/>,
/// saying why; the request waits (state WAITING) until then. A new follow-up replaces the old one.
/// </summary>
public sealed record SetFollowUpCommand(OperatorAccount Caller, DateTimeOffset DueTime, string Reason, string? Etag = null)
    : RequestCommand(Caller, Etag)
{
    public override ChangeKind Kind => ChangeKind.FollowUpSet;

    public override void Validate()
    {
        var violations = new List<FieldViolation>();
        Validation.SingleLine(violations, "reason", Reason, Validation.MaxFollowUpReasonLength);
        if (string.IsNullOrWhiteSpace(Reason))
        {
            violations.Add(new("reason", "is required: say in a few words what to do when it is due"));
        }
        if (DueTime == default)
        {
            violations.Add(new("due_time", "is required"));
        }
        if (violations.Count > 0)
        {
            DomainException.ThrowInvalid(violations);
        }
    }

    protected override MutationOutcome Decide(HelpRequest current, DateTimeOffset now)
    {
        // Against the store's clock, not the caller's: a time that has passed or is too far ahead is refused here.
        if (DueTime <= now)
        {
            DomainException.ThrowInvalid("due_time", "must be in the future");
        }
        if (DueTime - now > Validation.MaxFollowUpAhead)
        {
            DomainException.ThrowInvalid("due_time", $"must be at most {Validation.MaxFollowUpAhead.TotalDays:0} days ahead");
        }
        RequireOpen(current);
        var holder = current.Assignee;
        if (holder is null)
        {
            DomainException.ThrowPrecondition(ErrorReasons.NotAssigned,
                $"Request {current.Id} is not held by anyone; claim it before setting a follow-up.",
                new Dictionary<string, string> { ["state"] = "NEW" });
        }
        if (holder != Caller.Id && !IsSupervisor)
        {
            DomainException.ThrowPermissionDenied(Role.Supervisor,
                $"Request {current.Id} is held by operators/{holder}; only they or a supervisor may set its follow-up.");
        }
        return Changed(current with
        {
            State = RequestState.Waiting,
            FollowUp = new FollowUp(DueTime, Reason.Trim(), Caller.Id, Due: false),
        });
    }
}
