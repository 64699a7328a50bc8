using System.Globalization;

namespace Hotline.Domain;

/// <summary>
/// A request for help as stored. Immutable: every change produces a new value, and the store
/// stamps it with the revision of the change that produced it.
/// </summary>
public sealed record HelpRequest
{
    public required string Id { get; init; }
    public required long Number { get; init; }
    public required Channel Channel { get; init; }
    public string ContactHandle { get; init; } = "";
    public string Language { get; init; } = "";
    public required string Message { get; init; }
    public required Urgency Urgency { get; init; }
    public string Region { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];
    public required RequestState State { get; init; }

    /// <summary>Operator id of the holder. Kept when the request is closed, so reopening can return it.</summary>
    public string? Assignee { get; init; }

    public IReadOnlyList<Note> Notes { get; init; } = [];
    public Resolution Resolution { get; init; }
    public string ResolutionComment { get; init; } = "";
    public string? ClosedBy { get; init; }
    public required DateTimeOffset CreateTime { get; init; }
    public required DateTimeOffset UpdateTime { get; init; }
    public DateTimeOffset? CloseTime { get; init; }

    /// <summary>
    /// When someone first held it: set by its first assignment and never moved by a release, a
    /// reassignment or a reopening, so "time to claim" is arrival to the first claim.
    /// </summary>
    public DateTimeOffset? FirstClaimTime { get; init; }

    /// <summary>Store-wide revision of the change that produced this version.</summary>
    public long Revision { get; init; }

    /// <summary>Operator id of the intake caller that submitted it.</summary>
    public string SubmittedBy { get; init; } = "";

    /// <summary>
    /// How many requests still on record came earlier from the same requester (the same normalised
    /// contact handle, see <see cref="ContactHandles"/>). Derived when the request is read, not part of
    /// its revision: purging an earlier request lowers it without a change of its own.
    /// </summary>
    public int EarlierContacts { get; init; }

    /// <summary>
    /// How many escalation thresholds an unclaimed request has crossed (see <see cref="EscalationRules"/>):
    /// 0 not overdue, 1 the first, 2 the second. Recorded by the server as a change of its own, so
    /// every client sees the same; back to 0 when someone claims it.
    /// </summary>
    public int EscalationStep { get; init; }

    /// <summary>
    /// The escalation clock: when the request arrived, or when it was last released (or reopened)
    /// back to the queue with nobody holding it.
    /// </summary>
    public DateTimeOffset WaitingSince { get; init; }

    /// <summary>A promised call-back or check, set by an operator on a request they hold; null when none.</summary>
    public FollowUp? FollowUp { get; init; }

    /// <summary>
    /// The last hand-over to a colleague that carried a note, shown to the receiver first; null when the
    /// request was not handed over with a note since it was last assigned, released, or closed.
    /// </summary>
    public HandOver? HandOver { get; init; }

    /// <summary>The opaque version tag clients send back to make a mutation conditional.</summary>
    public string Etag => Revision.ToString(CultureInfo.InvariantCulture);

    public bool IsOpen => State is not RequestState.Closed;
}

/// <summary>A follow-up the holder promised: check the request again at <paramref name="DueTime"/>.</summary>
/// <param name="Reason">A short reason (1 to <see cref="Validation.MaxFollowUpReasonLength"/> characters). Sensitive like a note: sealed at rest, never logged.</param>
/// <param name="SetBy">The operator id that set it.</param>
/// <param name="Due">True once the server recorded that <paramref name="DueTime"/> passed.</param>
public sealed record FollowUp(DateTimeOffset DueTime, string Reason, string SetBy, bool Due);

/// <summary>A hand-over with a note: <paramref name="From"/> gave the request to <paramref name="To"/>; the note is the timeline entry <paramref name="NoteId"/>.</summary>
public sealed record HandOver(string From, string To, string NoteId, DateTimeOffset Time);

/// <summary>One entry of a request's notes timeline.</summary>
/// <param name="RequestId">The caller's idempotency key for the AddNote call that wrote it, if any.</param>
public sealed record Note(string Id, string Author, DateTimeOffset CreateTime, string Text, string? RequestId = null);

/// <summary>A validated submission, before the store gives it an id, a number and a revision.</summary>
public sealed record NewHelpRequest
{
    /// <summary>The intake caller's idempotency key; unique per <see cref="SubmittedBy"/>.</summary>
    public required string IntakeRequestId { get; init; }
    public required string SubmittedBy { get; init; }
    public required Channel Channel { get; init; }
    public string ContactHandle { get; init; } = "";
    public string Language { get; init; } = "";
    public required string Message { get; init; }
    public required Urgency Urgency { get; init; }
    public string Region { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The request this submission becomes: NEW, waiting since it was created, with no revision yet.</summary>
    public HelpRequest ToNewRequest(string id, long number, DateTimeOffset now) => new()
    {
        Id = id,
        Number = number,
        Channel = Channel,
        ContactHandle = ContactHandle,
        Language = Language,
        Message = Message,
        Urgency = Urgency,
        Region = Region,
        Tags = [.. Tags],
        State = RequestState.New,
        CreateTime = now,
        UpdateTime = now,
        WaitingSince = now,
        SubmittedBy = SubmittedBy,
    };
}

/// <summary>What intake hands back: enough to find the request again and to quote it on the phone.</summary>
public sealed record IntakeReceipt(string RequestId, long Number, DateTimeOffset CreateTime, bool Duplicate);

/// <summary>A person or integration that may call the server.</summary>
public sealed record OperatorAccount(string Id, string DisplayName, Role Role, bool Disabled = false)
{
    public bool Can(Role needed) => !Disabled && (needed == Role.Intake ? Role == Role.Intake : Role >= needed);
}

/// <summary>A committed change, as the live feed carries it.</summary>
/// <param name="Request">The request after the change; null when it was deleted.</param>
public sealed record RequestChange(long Revision, ChangeKind Kind, string RequestId, HelpRequest? Request, string Actor);
