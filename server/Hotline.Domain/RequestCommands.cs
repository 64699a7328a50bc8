using System.Globalization;

namespace Hotline.Domain;

/// <summary>The result of deciding a command against the current request.</summary>
/// <param name="Kind"><see cref="ChangeKind.Unspecified"/> when the command asked for what is already true: nothing is written.</param>
public sealed record MutationOutcome(HelpRequest Request, ChangeKind Kind)
{
    public bool Changed => Kind != ChangeKind.Unspecified;

    public static MutationOutcome Unchanged(HelpRequest request) => new(request, ChangeKind.Unspecified);
}

/// <summary>
/// An operator's action on one request. <see cref="Validate"/> checks the input alone; the adapter
/// calls it before handing the command to a store, which does not check it again. <see cref="Apply"/>
/// decides against the current stored request and runs on the store's single writer, so two
/// commands never decide against the same stale row.
/// Role checks per method belong to the caller; per-object rights (holder or supervisor) are here.
/// </summary>
public abstract record RequestCommand(OperatorAccount Caller, string? Etag)
{
    public abstract ChangeKind Kind { get; }

    /// <summary>Throws INVALID_ARGUMENT naming each bad field.</summary>
    public virtual void Validate()
    {
    }

    /// <summary>Decides the change, or throws a <see cref="DomainException"/> and changes nothing.</summary>
    public MutationOutcome Apply(HelpRequest current, DateTimeOffset now)
    {
        if (IsRetryOfApplied(current))
        {
            return MutationOutcome.Unchanged(current);
        }
        if (!string.IsNullOrEmpty(Etag) && !string.Equals(Etag, current.Etag, StringComparison.Ordinal))
        {
            throw new DomainException(ErrorKind.Aborted, ErrorReasons.EtagMismatch,
                $"Request {current.Id} changed since it was read; read it again and retry.",
                new Dictionary<string, string> { ["current_etag"] = current.Etag });
        }
        var outcome = Decide(current, now);
        return outcome.Changed ? outcome with { Request = outcome.Request with { UpdateTime = now } } : outcome;
    }

    protected abstract MutationOutcome Decide(HelpRequest current, DateTimeOffset now);

    /// <summary>
    /// True when <paramref name="current"/> already holds this command's effect under its idempotency key.
    /// Checked before the etag: the first attempt's own change moved the etag on, so a retry whose reply
    /// was lost would otherwise be refused although it succeeded.
    /// </summary>
    protected virtual bool IsRetryOfApplied(HelpRequest current) => false;

    protected MutationOutcome Changed(HelpRequest updated) => new(updated, Kind);

    protected bool IsSupervisor => Caller.Role >= Role.Supervisor;

    protected static void RequireOpen(HelpRequest current)
    {
        if (!current.IsOpen)
        {
            DomainException.ThrowPrecondition(ErrorReasons.RequestClosed,
                $"Request {current.Id} is closed; reopen it first.",
                new Dictionary<string, string> { ["state"] = "CLOSED" });
        }
    }

    /// <summary>A held request may be worked only by its holder, or by a supervisor.</summary>
    protected void RequireHolderOrSupervisor(HelpRequest current)
    {
        if (current.Assignee is { } holder && holder != Caller.Id && !IsSupervisor)
        {
            DomainException.ThrowPrecondition(ErrorReasons.NotAssignee,
                $"Request {current.Id} is held by operators/{holder}; only they or a supervisor may do this.",
                new Dictionary<string, string> { ["assignee"] = "operators/" + holder });
        }
    }
}

/// <summary>
/// Gives a request to <paramref name="Target"/> (the caller themselves, or a colleague). Claiming ends
/// any escalation. Handing it to a colleague may carry <paramref name="HandOverNote"/>: it is added to
/// the notes timeline and marked as the hand-over (<see cref="HelpRequest.HandOver"/>) so the receiver
/// reads it first. A follow-up stays with the request.
/// </summary>
public sealed record AssignCommand(OperatorAccount Caller, OperatorAccount Target, string? Etag = null, string HandOverNote = "")
    : RequestCommand(Caller, Etag)
{
    public override ChangeKind Kind => ChangeKind.Assigned;

    public override void Validate()
    {
        if (Target.Disabled)
        {
            DomainException.ThrowPrecondition(ErrorReasons.OperatorDisabled,
                $"operators/{Target.Id} is disabled and cannot be assigned requests.",
                new Dictionary<string, string> { ["operator"] = "operators/" + Target.Id });
        }
        var violations = new List<FieldViolation>();
        if (Target.Role < Role.Operator)
        {
            violations.Add(new("assignee", "must name an operator, supervisor or admin, not an intake integration"));
        }
        Validation.Text(violations, "hand_over_note", HandOverNote, Validation.MaxHandOverNoteLength, required: false);
        if (!string.IsNullOrWhiteSpace(HandOverNote) && Target.Id == Caller.Id)
        {
            violations.Add(new("hand_over_note", "is for handing a request to a colleague, not for claiming it yourself"));
        }
        if (violations.Count > 0)
        {
            DomainException.ThrowInvalid(violations);
        }
    }

    protected override MutationOutcome Decide(HelpRequest current, DateTimeOffset now)
    {
        RequireOpen(current);
        if (current.Assignee == Target.Id)
        {
            return MutationOutcome.Unchanged(current);
        }
        if (current.Assignee is { } holder && holder != Caller.Id && !IsSupervisor)
        {
            DomainException.ThrowPrecondition(ErrorReasons.AlreadyAssigned,
                $"Request {current.Id} is already assigned to operators/{holder}.",
                new Dictionary<string, string> { ["assignee"] = "operators/" + holder });
        }
        var notes = current.Notes;
        HandOver? handOver = null;
        if (!string.IsNullOrWhiteSpace(HandOverNote))
        {
            var note = new Note(AddNoteCommand.NextNoteId(current), Caller.Id, now, HandOverNote.Trim());
            notes = [.. notes, note];
            handOver = new HandOver(Caller.Id, Target.Id, note.Id, now);
        }
        return Changed(current with
        {
            Assignee = Target.Id,
            FirstClaimTime = current.FirstClaimTime ?? now,
            State = current.State == RequestState.Waiting ? RequestState.Waiting : RequestState.Assigned,
            EscalationStep = 0,
            Notes = notes,
            HandOver = handOver,
        });
    }
}

/// <summary>Gives a held request back to the queue: the escalation clock starts again, and any follow-up or hand-over ends with the holding.</summary>
public sealed record ReleaseCommand(OperatorAccount Caller, string? Etag = null) : RequestCommand(Caller, Etag)
{
    public override ChangeKind Kind => ChangeKind.Released;

    protected override MutationOutcome Decide(HelpRequest current, DateTimeOffset now)
    {
        RequireOpen(current);
        if (current.Assignee is null)
        {
            DomainException.ThrowPrecondition(ErrorReasons.NotAssigned,
                $"Request {current.Id} is not assigned to anyone.",
                new Dictionary<string, string> { ["state"] = "NEW" });
        }
        RequireHolderOrSupervisor(current);
        return Changed(current with
        {
            Assignee = null,
            State = RequestState.New,
            WaitingSince = now,
            EscalationStep = 0,
            FollowUp = null,
            HandOver = null,
        });
    }
}

/// <summary>Appends a note; idempotent on <paramref name="ClientRequestId"/>.</summary>
public sealed record AddNoteCommand(OperatorAccount Caller, string Text, string? ClientRequestId = null, string? Etag = null)
    : RequestCommand(Caller, Etag)
{
    public override ChangeKind Kind => ChangeKind.NoteAdded;

    public override void Validate()
    {
        var violations = new List<FieldViolation>();
        Validation.Text(violations, "text", Text, Validation.MaxNoteLength, required: true);
        Validation.ClientRequestId(violations, "request_id", ClientRequestId ?? "", required: false);
        if (violations.Count > 0)
        {
            DomainException.ThrowInvalid(violations);
        }
    }

    protected override bool IsRetryOfApplied(HelpRequest current) =>
        !string.IsNullOrEmpty(ClientRequestId) && current.Notes.Any(n => n.RequestId == ClientRequestId);

    protected override MutationOutcome Decide(HelpRequest current, DateTimeOffset now)
    {
        RequireOpen(current);
        var note = new Note(NextNoteId(current), Caller.Id, now, Text, string.IsNullOrEmpty(ClientRequestId) ? null : ClientRequestId);
        return Changed(current with { Notes = [.. current.Notes, note] });
    }

    internal static string NextNoteId(HelpRequest current) =>
        (current.Notes.Count + 1).ToString(CultureInfo.InvariantCulture);
}

/// <summary>The fields UpdateRequest may change; null means "leave as is".</summary>
public sealed record RequestPatch
{
    public Urgency? Urgency { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public string? Language { get; init; }
    public string? Region { get; init; }
    public RequestState? State { get; init; }
}

/// <summary>Changes triage fields, or moves a held request between ASSIGNED and WAITING.</summary>
public sealed record UpdateCommand(OperatorAccount Caller, RequestPatch Patch, string? Etag = null) : RequestCommand(Caller, Etag)
{
    public override ChangeKind Kind => ChangeKind.Updated;

    public override void Validate()
    {
        var violations = new List<FieldViolation>();
        if (Patch.Urgency is { } urgency && (urgency == Urgency.Unspecified || !Enum.IsDefined(urgency)))
        {
            violations.Add(new("request.urgency", "must be ROUTINE, URGENT or IMMEDIATE_DANGER"));
        }
        if (Patch.Tags is { } tags)
        {
            Validation.Tags(violations, "request.tags", tags);
        }
        if (Patch.Language is { } language)
        {
            Validation.Language(violations, "request.language", language);
        }
        if (Patch.Region is { } region)
        {
            Validation.SingleLine(violations, "request.region", region, Validation.MaxRegionLength);
        }
        if (Patch.State is { } state && state is not (RequestState.Assigned or RequestState.Waiting))
        {
            violations.Add(new("request.state", "may only be set to ASSIGNED or WAITING; use Assign, Release, Close or Reopen for other moves"));
        }
        if (Patch == new RequestPatch())
        {
            violations.Add(new("update_mask", "must name at least one of urgency, tags, language, region, state"));
        }
        if (violations.Count > 0)
        {
            DomainException.ThrowInvalid(violations);
        }
    }

    protected override MutationOutcome Decide(HelpRequest current, DateTimeOffset now)
    {
        RequireOpen(current);
        RequireHolderOrSupervisor(current);
        if (Patch.State is not null && current.Assignee is null)
        {
            DomainException.ThrowPrecondition(ErrorReasons.NotAssigned,
                $"Request {current.Id} must be assigned before it can wait.",
                new Dictionary<string, string> { ["state"] = "NEW" });
        }
        var updated = current with
        {
            Urgency = Patch.Urgency ?? current.Urgency,
            Tags = Patch.Tags is { } tags ? Validation.Tags([], "request.tags", tags) : current.Tags,
            Language = Patch.Language ?? current.Language,
            Region = Patch.Region?.Trim() ?? current.Region,
            State = Patch.State ?? current.State,
            // Taking a waiting request back in hand (state ASSIGNED) is acting on its follow-up: it ends.
            FollowUp = Patch.State == RequestState.Assigned ? null : current.FollowUp,
        };
        var same = updated.Urgency == current.Urgency && updated.Tags.SequenceEqual(current.Tags)
            && updated.Language == current.Language && updated.Region == current.Region && updated.State == current.State
            && updated.FollowUp == current.FollowUp;
        return same ? MutationOutcome.Unchanged(current) : Changed(updated);
    }
}

/// <summary>Closes an open request with a resolution.</summary>
public sealed record CloseCommand(OperatorAccount Caller, Resolution Resolution, string Comment = "", string? Etag = null)
    : RequestCommand(Caller, Etag)
{
    public override ChangeKind Kind => ChangeKind.Closed;

    public override void Validate()
    {
        var violations = new List<FieldViolation>();
        if (Resolution == Resolution.Unspecified || !Enum.IsDefined(Resolution))
        {
            violations.Add(new("resolution", "is required: one of the Resolution values other than RESOLUTION_UNSPECIFIED"));
        }
        Validation.Text(violations, "comment", Comment, Validation.MaxCommentLength, required: Resolution == Resolution.Other);
        if (violations.Count > 0)
        {
            DomainException.ThrowInvalid(violations);
        }
    }

    protected override MutationOutcome Decide(HelpRequest current, DateTimeOffset now)
    {
        RequireOpen(current);
        RequireHolderOrSupervisor(current);
        return Changed(current with
        {
            State = RequestState.Closed,
            Resolution = Resolution,
            ResolutionComment = Comment.Trim(),
            CloseTime = now,
            ClosedBy = Caller.Id,
            EscalationStep = 0,
            FollowUp = null,
            HandOver = null,
        });
    }
}

/// <summary>Opens a closed request again, back to its last holder.</summary>
public sealed record ReopenCommand(OperatorAccount Caller, string Comment = "", string? Etag = null) : RequestCommand(Caller, Etag)
{
    public override ChangeKind Kind => ChangeKind.Reopened;

    public override void Validate()
    {
        var violations = new List<FieldViolation>();
        Validation.Text(violations, "comment", Comment, Validation.MaxCommentLength, required: false);
        if (violations.Count > 0)
        {
            DomainException.ThrowInvalid(violations);
        }
    }

    protected override MutationOutcome Decide(HelpRequest current, DateTimeOffset now)
    {
        if (current.IsOpen)
        {
            DomainException.ThrowPrecondition(ErrorReasons.RequestOpen, $"Request {current.Id} is not closed.",
                new Dictionary<string, string> { ["state"] = current.State.ToString().ToUpperInvariant() });
        }
        if (!IsSupervisor && Caller.Id != current.Assignee && Caller.Id != current.ClosedBy)
        {
            DomainException.ThrowPermissionDenied(Role.Supervisor,
                $"Only the last assignee, whoever closed request {current.Id}, or a supervisor may reopen it.");
        }
        var notes = string.IsNullOrWhiteSpace(Comment)
            ? current.Notes
            : [.. current.Notes, new Note(AddNoteCommand.NextNoteId(current), Caller.Id, now, Comment.Trim())];
        return Changed(current with
        {
            State = current.Assignee is null ? RequestState.New : RequestState.Assigned,
            Resolution = Resolution.Unspecified,
            ResolutionComment = "",
            CloseTime = null,
            ClosedBy = null,
            Notes = notes,
            // Back in the queue with nobody holding it: it waits from now, not from its first arrival.
            WaitingSince = current.Assignee is null ? now : current.WaitingSince,
            EscalationStep = 0,
        });
    }
}
