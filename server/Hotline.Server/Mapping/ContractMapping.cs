using Google.Protobuf.WellKnownTypes;
using Hotline.Domain;
using V1 = Hotline.Contract.V1;

namespace Hotline.Server.Mapping;

/// <summary>
/// Every translation between the contract's messages and the domain's records, in one place.
/// Enums are cast by number; ContractEnumMappingTests holds each cast pair to the same numbers
/// under the same names.
/// </summary>
public static class ContractMapping
{
    public const string RequestPrefix = "requests/";
    public const string OperatorPrefix = "operators/";

    public static string RequestName(string id) => RequestPrefix + id;

    public static string OperatorName(string id) => OperatorPrefix + id;

    /// <summary>Parses `requests/{id}`; INVALID_ARGUMENT on <paramref name="field"/> otherwise.</summary>
    public static string ParseRequestName(string name, string field = "name")
    {
        if (!name.StartsWith(RequestPrefix, StringComparison.Ordinal) || name.Length == RequestPrefix.Length
            || name.Length > RequestPrefix.Length + 64 || name.AsSpan(RequestPrefix.Length).ContainsAny("/ ") || HasControl(name))
        {
            DomainException.ThrowInvalid(field, "must be a request name of the form requests/{id}");
        }
        return name[RequestPrefix.Length..];
    }

    /// <summary>
    /// Names are logged (the request or operator they point at) and echoed in audit trails: a
    /// control character in one (an escape sequence, a bell) must be refused here, before it can
    /// reach a log line or an operator's terminal.
    /// </summary>
    private static bool HasControl(string name)
    {
        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Parses `operators/{id}`; INVALID_ARGUMENT on <paramref name="field"/> otherwise.</summary>
    public static string ParseOperatorName(string name, string field)
    {
        if (!name.StartsWith(OperatorPrefix, StringComparison.Ordinal) || name.Length == OperatorPrefix.Length
            || name.Length > OperatorPrefix.Length + 40 || HasControl(name))
        {
            DomainException.ThrowInvalid(field, "must be an operator name of the form operators/{id}");
        }
        return name[OperatorPrefix.Length..];
    }

    public static V1.HelpRequest ToContract(HelpRequest r)
    {
        var message = new V1.HelpRequest
        {
            Name = RequestName(r.Id),
            Number = r.Number,
            Channel = (V1.Channel)r.Channel,
            ContactHandle = r.ContactHandle,
            Language = r.Language,
            Message = r.Message,
            Urgency = (V1.Urgency)r.Urgency,
            Region = r.Region,
            State = (V1.RequestState)r.State,
            Assignee = r.Assignee is null ? "" : OperatorName(r.Assignee),
            Resolution = (V1.Resolution)r.Resolution,
            ResolutionComment = r.ResolutionComment,
            CreateTime = Timestamp.FromDateTimeOffset(r.CreateTime),
            UpdateTime = Timestamp.FromDateTimeOffset(r.UpdateTime),
            CloseTime = r.CloseTime is { } closed ? Timestamp.FromDateTimeOffset(closed) : null,
            Etag = r.Etag,
            Revision = r.Revision,
            ClosedBy = r.ClosedBy is null ? "" : OperatorName(r.ClosedBy),
            EarlierContactCount = r.EarlierContacts,
            EscalationStep = r.EscalationStep,
            WaitingSince = r.WaitingSince == default ? null : Timestamp.FromDateTimeOffset(r.WaitingSince),
            FollowUp = r.FollowUp is { } followUp
                ? new V1.FollowUp
                {
                    DueTime = Timestamp.FromDateTimeOffset(followUp.DueTime),
                    Reason = followUp.Reason,
                    SetBy = OperatorName(followUp.SetBy),
                    Due = followUp.Due,
                }
                : null,
            HandOver = r.HandOver is { } handOver
                ? new V1.HandOver
                {
                    From = OperatorName(handOver.From),
                    To = OperatorName(handOver.To),
                    NoteId = handOver.NoteId,
                    Time = Timestamp.FromDateTimeOffset(handOver.Time),
                }
                : null,
        };
        message.Tags.AddRange(r.Tags);
        foreach (var note in r.Notes)
        {
            message.Notes.Add(new V1.Note
            {
                Id = note.Id,
                Author = OperatorName(note.Author),
                CreateTime = Timestamp.FromDateTimeOffset(note.CreateTime),
                Text = note.Text,
            });
        }
        return message;
    }

    /// <summary>The request as <paramref name="viewer"/> may see it.</summary>
    public static V1.HelpRequest ToContract(HelpRequest r, OperatorAccount viewer) => ToContract(ContactVisibility.For(viewer, r));

    public static V1.RequestChange ToContract(RequestChange change, OperatorAccount viewer) =>
        ToContract(change.Request is null ? change : change with { Request = ContactVisibility.For(viewer, change.Request) });

    public static V1.RequestChange ToContract(RequestChange change) => new()
    {
        Revision = change.Revision,
        Kind = (V1.ChangeKind)change.Kind,
        Name = RequestName(change.RequestId),
        Request = change.Request is null ? null : ToContract(change.Request),
        Actor = OperatorName(change.Actor),
    };

    public static V1.Operator ToContract(OperatorAccount account, bool connected = false) => new()
    {
        Name = OperatorName(account.Id),
        DisplayName = account.DisplayName,
        Role = (V1.OperatorRole)account.Role,
        Disabled = account.Disabled,
        Connected = connected,
    };

    public static V1.AuditEvent ToContract(AuditRecord record)
    {
        var message = new V1.AuditEvent
        {
            Sequence = record.Sequence,
            Time = Timestamp.FromDateTimeOffset(record.Time),
            Actor = OperatorName(record.Actor),
            Action = (V1.AuditAction)record.Action,
            Hash = Convert.ToHexStringLower(record.Hash.Span),
            Operator = record.OperatorId is null ? "" : OperatorName(record.OperatorId),
            Revision = record.Revision ?? 0,
            Watch = record.Watch is { } watch ? ToContract(watch) : null,
            Reached = record.Reached is { } reached ? ToContract(reached) : null,
        };
        message.Requests.AddRange(record.RequestIds.Select(RequestName));
        return message;
    }

    public static V1.AuditWatch ToContract(WatchMark mark) => new()
    {
        Stream = mark.Stream,
        FromRevision = mark.FromRevision,
        ThroughRevision = mark.Through,
        SnapshotClosedSince = mark.SnapshotClosedSince is { } closedSince ? Timestamp.FromDateTimeOffset(closedSince) : null,
        Ended = mark.Ended,
    };

    public static V1.PurgedRequest ToContract(RequestOutline outline) => new()
    {
        Name = RequestName(outline.Id),
        Number = outline.Number,
        State = (V1.RequestState)outline.State,
        CreateTime = Timestamp.FromDateTimeOffset(outline.CreateTime),
        CloseTime = outline.CloseTime is { } closed ? Timestamp.FromDateTimeOffset(closed) : null,
    };

    public static V1.VerifyAuditChainResponse ToContract(AuditVerification verification) => new()
    {
        Intact = verification.Intact,
        EventsChecked = verification.RecordsChecked,
        Problem = (V1.AuditChainProblem)verification.Problem,
        Position = verification.Position,
        Detail = verification.Detail,
        HeadSequence = verification.HeadSequence,
        HeadHash = Convert.ToHexStringLower(verification.HeadHash.Span),
    };

    public static NewHelpRequest ToDomain(V1.SubmitRequestRequest request, OperatorAccount caller) => new()
    {
        IntakeRequestId = request.RequestId,
        SubmittedBy = caller.Id,
        Channel = (Channel)request.Channel,
        ContactHandle = request.ContactHandle,
        Language = request.Language,
        Message = request.Message,
        Urgency = (Urgency)request.Urgency,
        Region = request.Region,
        Tags = [.. request.Tags],
    };

    /// <summary>A timestamp the caller must give; INVALID_ARGUMENT on <paramref name="field"/> when missing or out of range.</summary>
    public static DateTimeOffset ToDomainTime(Timestamp? time, string field)
    {
        // Timestamp's own range is years 1 to 9999; anything outside, or nanos out of range, is refused rather than thrown on.
        if (time is null || time.Seconds < -62_135_596_800 || time.Seconds > 253_402_300_799 || time.Nanos is < 0 or > 999_999_999)
        {
            DomainException.ThrowInvalid(field, "is required: a time between years 1 and 9999");
        }
        return time.ToDateTimeOffset();
    }

    /// <summary>Builds the patch named by the update mask; unknown paths are INVALID_ARGUMENT.</summary>
    public static RequestPatch ToPatch(V1.HelpRequest request, FieldMask? mask)
    {
        if (mask is null || mask.Paths.Count == 0)
        {
            DomainException.ThrowInvalid("update_mask", "is required: name at least one of urgency, tags, language, region, state");
        }
        var patch = new RequestPatch();
        foreach (var path in mask.Paths)
        {
            patch = path switch
            {
                "urgency" => patch with { Urgency = (Urgency)request.Urgency },
                "tags" => patch with { Tags = [.. request.Tags] },
                "language" => patch with { Language = request.Language },
                "region" => patch with { Region = request.Region },
                "state" => patch with { State = (RequestState)request.State },
                _ => ThrowUnknownPath(path),
            };
        }
        return patch;
    }

    private static RequestPatch ThrowUnknownPath(string path)
    {
        DomainException.ThrowInvalid("update_mask",
            $"path '{(path.Length > 40 ? path[..40] : path)}' cannot be updated; use urgency, tags, language, region or state");
        return new RequestPatch();
    }
}
