namespace Hotline.Domain;

/// <summary>How the requester reached the hotline. Values match the contract's numbers.</summary>
public enum Channel
{
    Unspecified = 0,
    Phone = 1,
    Sms = 2,
    Telegram = 3,
    Signal = 4,
    WhatsApp = 5,
    Email = 6,
    WebForm = 7,
    InPerson = 8,
    Other = 9,
}

/// <summary>How soon help is needed; a higher value is more urgent.</summary>
public enum Urgency
{
    Unspecified = 0,
    Routine = 1,
    Urgent = 2,
    ImmediateDanger = 3,
}

/// <summary>Where a request is in its life.</summary>
public enum RequestState
{
    Unspecified = 0,
    New = 1,
    Assigned = 2,
    Waiting = 3,
    Closed = 4,
}

/// <summary>How a closed request ended.</summary>
public enum Resolution
{
    Unspecified = 0,
    Evacuated = 1,
    Referred = 2,
    LegalAid = 3,
    InformationGiven = 4,
    NoContact = 5,
    Duplicate = 6,
    Spam = 7,
    Other = 8,
}

/// <summary>What a caller may do. Ordered: each role above intake includes the ones below it.</summary>
public enum Role
{
    Unspecified = 0,
    Intake = 1,
    Operator = 2,
    Supervisor = 3,
    Admin = 4,
}

/// <summary>What a committed change did to a request.</summary>
public enum ChangeKind
{
    Unspecified = 0,
    Created = 1,
    Assigned = 2,
    Released = 3,
    NoteAdded = 4,
    Updated = 5,
    Closed = 6,
    Reopened = 7,
    Deleted = 8,

    /// <summary>The server recorded that an unclaimed request crossed an escalation threshold.</summary>
    Escalated = 9,

    /// <summary>The holder set (or replaced) a follow-up; the request waits.</summary>
    FollowUpSet = 10,

    /// <summary>The server recorded that a follow-up fell due.</summary>
    FollowUpDue = 11,
}
