using System.Globalization;
using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// Maps <see cref="HelpRequest"/> to and from BSON by hand: field names are part of the file
/// format and must not move when a C# property is renamed. Times are UTC ticks, because LiteDB
/// keeps DateTime to the millisecond only; enums are their contract numbers.
/// Free text (contact handle, message, region, tags, resolution comment, note texts and their
/// clients' idempotency keys) is stored
/// sealed under the request's data key (<see cref="RequestSealer"/>); what stays in the clear is
/// what queues are filtered and sorted by (state, urgency, channel, assignee, language, times,
/// numbers) and the keyed pseudonym of the requester, which reveals nothing without the master key.
/// </summary>
internal static class RequestDocument
{
    public const string Collection = "requests";
    public const string StateField = "state";
    public const string NumberField = "number";
    public const string RequesterField = "requester";
    public const string CloseTimeField = "close_time";
    public const string RevisionField = "revision";
    public const string CreateTimeField = "create_time";
    public const string UpdateTimeField = "update_time";

    /// <summary>In the clear and indexed, so today's claims are found without walking the history (absent on requests stored before it existed).</summary>
    public const string FirstClaimTimeField = "first_claim_time";

    /// <summary>
    /// The close-time index's expression: the close time of a closed request, and no key at all for an
    /// open one. LiteDB indexes a null like any other key, so an index on the field itself would take an
    /// entry for every new request and move it at the close; this one takes an entry at the close only,
    /// and holds the closed requests alone. Predicates use it with <c>ANY</c>, which LiteDB answers from the index.
    /// </summary>
    public const string CloseTimeKey = "ITEMS(IIF(IS_NULL($." + CloseTimeField + "), [], [$." + CloseTimeField + "]))";

    /// <summary>The first-claim index's expression, keyed like <see cref="CloseTimeKey"/>: no key until the first claim.</summary>
    public const string FirstClaimTimeKey = "ITEMS(IIF(IS_NULL($." + FirstClaimTimeField + "), [], [$." + FirstClaimTimeField + "]))";

    /// <summary>
    /// The default queue order (most urgent first, then oldest first) as one indexed string, so a
    /// list in that order walks one index instead of sorting every request (see <see cref="QueueKey"/>).
    /// </summary>
    public const string QueueKeyField = "queue_key";

    /// <summary>
    /// For an open request, every clear field a list filters or sorts on, and its id, as one indexed
    /// string (see <see cref="OpenKey"/>); null once it is closed. Lists of open requests are then
    /// found from this index's keys alone, without loading a document but those on the page.
    /// </summary>
    public const string OpenKeyField = "open_key";

    private const char OpenKeySeparator = '|';

    /// <summary>
    /// How many requests the same requester made before this one (capped, see
    /// <see cref="RequesterIndex.EarlierContactsCap"/>), counted once when it is created and kept true
    /// when an earlier one is purged, so reading a request does not query the requester index again.
    /// Stored in the clear: the requester index already links a requester's requests on disk.
    /// </summary>
    public const string EarlierContactsField = "earlier_contacts";

    private const string TagSeparator = "\n";

    /// <param name="requester">The <see cref="RequesterIndex"/> key, or null for a request without a contact handle.</param>
    public static BsonDocument ToBson(HelpRequest request, RequestSealer sealer, string? requester) => new()
    {
        ["_id"] = request.Id,
        [NumberField] = request.Number,
        ["channel"] = (int)request.Channel,
        ["contact_handle"] = sealer.Seal("contact_handle", request.ContactHandle),
        ["language"] = request.Language,
        ["message"] = sealer.Seal("message", request.Message),
        ["urgency"] = (int)request.Urgency,
        ["region"] = sealer.Seal("region", request.Region),
        // Tags never hold whitespace (Validation.Tags), so a line break separates them unambiguously.
        ["tags"] = sealer.Seal("tags", string.Join(TagSeparator, request.Tags)),
        [StateField] = (int)request.State,
        ["assignee"] = OptionalString(request.Assignee),
        ["notes"] = new BsonArray(request.Notes.Select(n => NoteToBson(n, sealer))),
        ["resolution"] = (int)request.Resolution,
        ["resolution_comment"] = sealer.Seal("resolution_comment", request.ResolutionComment),
        ["closed_by"] = OptionalString(request.ClosedBy),
        [CreateTimeField] = request.CreateTime.UtcTicks,
        [UpdateTimeField] = request.UpdateTime.UtcTicks,
        [CloseTimeField] = request.CloseTime is { } closed ? new BsonValue(closed.UtcTicks) : BsonValue.Null,
        [FirstClaimTimeField] = request.FirstClaimTime is { } claimed ? new BsonValue(claimed.UtcTicks) : BsonValue.Null,
        [RevisionField] = request.Revision,
        ["submitted_by"] = request.SubmittedBy,
        [RequesterField] = requester is null ? BsonValue.Null : new BsonValue(requester),
        [QueueKeyField] = QueueKey(request.Urgency, request.CreateTime),
        [OpenKeyField] = OpenKey(request),
        [EarlierContactsField] = request.EarlierContacts,
        [EscalationStepField] = request.EscalationStep,
        [WaitingSinceField] = request.WaitingSince.UtcTicks,
        ["follow_up"] = request.FollowUp is { } followUp ? FollowUpToBson(followUp, sealer) : BsonValue.Null,
        ["hand_over"] = request.HandOver is { } handOver ? HandOverToBson(handOver) : BsonValue.Null,
    };

    /// <summary>Escalation step (0-2), in the clear: a queue and a supervisor's count need it without opening anything.</summary>
    public const string EscalationStepField = "escalation_step";

    /// <summary>The escalation clock, UTC ticks. Missing on requests stored before escalation existed: their create time stands in.</summary>
    public const string WaitingSinceField = "waiting_since";

    /// <summary>
    /// A follow-up's due time and state are clear (the server's pass finds due ones without a key);
    /// its reason is requester-adjacent free text and sealed like a note.
    /// </summary>
    private static BsonDocument FollowUpToBson(FollowUp followUp, RequestSealer sealer) => new()
    {
        ["due_time"] = followUp.DueTime.UtcTicks,
        ["reason"] = sealer.Seal("follow_up/reason", followUp.Reason),
        ["set_by"] = followUp.SetBy,
        ["due"] = followUp.Due,
    };

    private static FollowUp? FollowUpFromBson(BsonValue value, RequestSealer sealer) => value.IsDocument
        ? new FollowUp(Utc(value["due_time"]), sealer.Open("follow_up/reason", value["reason"].AsBinary), value["set_by"].AsString, value["due"].AsBoolean)
        : null;

    /// <summary>Who handed it to whom and when; the note itself is a timeline entry, sealed with the notes.</summary>
    private static BsonDocument HandOverToBson(HandOver handOver) => new()
    {
        ["from"] = handOver.From,
        ["to"] = handOver.To,
        ["note_id"] = handOver.NoteId,
        ["time"] = handOver.Time.UtcTicks,
    };

    private static HandOver? HandOverFromBson(BsonValue value) => value.IsDocument
        ? new HandOver(value["from"].AsString, value["to"].AsString, value["note_id"].AsString, Utc(value["time"]))
        : null;

    /// <summary>
    /// <c>{state}|{urgency}|{create ticks}|{update ticks}|{number}|{channel}|{language}|{assignee}|{id}|{escalation step}|{follow-up due 0/1}</c>
    /// for an open request, null for a closed one, so the index holds the open queue and nothing of
    /// the closed history. None of the parts can hold the separator: enums and numbers, a BCP 47
    /// language tag, an operator id (<c>[a-z0-9._-]</c>) and a request id. Clear fields only.
    /// Written with every version of a request and backfilled on open (<see cref="StoreSchema.EnsureIndexes"/>).
    /// </summary>
    public static BsonValue OpenKey(HelpRequest request) => request.State is RequestState.Closed or RequestState.Unspecified
        ? BsonValue.Null
        : string.Join(OpenKeySeparator,
            ((int)request.State).ToString(CultureInfo.InvariantCulture),
            ((int)request.Urgency).ToString(CultureInfo.InvariantCulture),
            request.CreateTime.UtcTicks.ToString(CultureInfo.InvariantCulture),
            request.UpdateTime.UtcTicks.ToString(CultureInfo.InvariantCulture),
            request.Number.ToString(CultureInfo.InvariantCulture),
            ((int)request.Channel).ToString(CultureInfo.InvariantCulture),
            request.Language,
            request.Assignee ?? "",
            request.Id,
            request.EscalationStep.ToString(CultureInfo.InvariantCulture),
            request.FollowUp is { Due: true } ? "1" : "0");

    /// <summary>
    /// What the supervision figures need of an open request, from its <see cref="OpenKey"/> alone. A key
    /// written before the escalation step and the follow-up were in it (nine parts) reads as neither:
    /// the next change to the request, an escalation included, writes the longer key.
    /// </summary>
    public static OpenRequestFacts OpenFacts(string key)
    {
        var envelope = FromOpenKey(key);
        var parts = key.Split(OpenKeySeparator);
        var step = parts.Length > 9 ? int.Parse(parts[9], CultureInfo.InvariantCulture) : 0;
        var due = parts.Length > 10 && parts[10] == "1";
        return new OpenRequestFacts(envelope.State, envelope.Urgency, envelope.CreateTime, envelope.Assignee, step, due);
    }

    /// <summary>
    /// The envelope an <see cref="OpenKey"/> holds: what a list filters and sorts on (state, urgency,
    /// channel, language, assignee, times, number) and the id. Everything else is left empty.
    /// </summary>
    public static HelpRequest FromOpenKey(string key)
    {
        var parts = key.Split(OpenKeySeparator);
        return new HelpRequest
        {
            State = (RequestState)int.Parse(parts[0], CultureInfo.InvariantCulture),
            Urgency = (Urgency)int.Parse(parts[1], CultureInfo.InvariantCulture),
            CreateTime = new DateTimeOffset(long.Parse(parts[2], CultureInfo.InvariantCulture), TimeSpan.Zero),
            UpdateTime = new DateTimeOffset(long.Parse(parts[3], CultureInfo.InvariantCulture), TimeSpan.Zero),
            Number = long.Parse(parts[4], CultureInfo.InvariantCulture),
            Channel = (Channel)int.Parse(parts[5], CultureInfo.InvariantCulture),
            Language = parts[6],
            Assignee = parts[7].Length == 0 ? null : parts[7],
            Id = parts[8],
            Message = "",
            SubmittedBy = "",
        };
    }

    /// <summary>
    /// <c>{3 - urgency}:{create time in UTC ticks, 19 digits}</c>: in ordinal (binary collation)
    /// order, most urgent first, then oldest first. Written with every version of a request
    /// (every write goes through <see cref="ToBson"/>) and backfilled on open for requests stored
    /// before it existed (<see cref="StoreSchema.EnsureIndexes"/>). Clear fields only.
    /// </summary>
    public static string QueueKey(Urgency urgency, DateTimeOffset createTime) =>
        ((int)Urgency.ImmediateDanger - (int)urgency).ToString(CultureInfo.InvariantCulture) + ":"
        + createTime.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>
    /// The request without its sealed fields (left empty): enough to filter and sort a queue
    /// without opening anything, so only the requests on the page returned are decrypted.
    /// </summary>
    public static HelpRequest Envelope(BsonDocument doc) => new()
    {
        Id = doc["_id"].AsString,
        Number = doc[NumberField].AsInt64,
        Channel = (Channel)doc["channel"].AsInt32,
        Language = doc["language"].AsString,
        Message = "",
        Urgency = (Urgency)doc["urgency"].AsInt32,
        State = (RequestState)doc[StateField].AsInt32,
        Assignee = OptionalString(doc["assignee"]),
        Resolution = (Resolution)doc["resolution"].AsInt32,
        ClosedBy = OptionalString(doc["closed_by"]),
        CreateTime = Utc(doc[CreateTimeField]),
        UpdateTime = Utc(doc[UpdateTimeField]),
        CloseTime = doc[CloseTimeField].IsNull ? null : Utc(doc[CloseTimeField]),
        FirstClaimTime = doc[FirstClaimTimeField].IsNull ? null : Utc(doc[FirstClaimTimeField]),
        Revision = doc[RevisionField].AsInt64,
        SubmittedBy = doc["submitted_by"].AsString,
        EscalationStep = doc[EscalationStepField].IsNumber ? doc[EscalationStepField].AsInt32 : 0,
        WaitingSince = doc[WaitingSinceField].IsNumber ? Utc(doc[WaitingSinceField]) : Utc(doc[CreateTimeField]),
        HandOver = HandOverFromBson(doc["hand_over"]),
    };

    public static HelpRequest FromBson(BsonDocument doc, RequestSealer sealer, int earlierContacts)
    {
        return Envelope(doc) with
        {
            ContactHandle = sealer.Open("contact_handle", doc["contact_handle"].AsBinary),
            Message = sealer.Open("message", doc["message"].AsBinary),
            Region = OpenRegion(doc, sealer),
            Tags = OpenTags(doc, sealer),
            Notes = [.. doc["notes"].AsArray.Select(n => NoteFromBson(n.AsDocument, sealer))],
            ResolutionComment = sealer.Open("resolution_comment", doc["resolution_comment"].AsBinary),
            EarlierContacts = earlierContacts,
            FollowUp = FollowUpFromBson(doc["follow_up"], sealer),
        };
    }

    /// <summary>Opens the region alone, for reads (a monitoring report) that must not open the rest.</summary>
    public static string OpenRegion(BsonDocument doc, RequestSealer sealer) => sealer.Open("region", doc["region"].AsBinary);

    /// <summary>Opens the tags alone.</summary>
    public static IReadOnlyList<string> OpenTags(BsonDocument doc, RequestSealer sealer)
    {
        var tags = sealer.Open("tags", doc["tags"].AsBinary);
        return tags.Length == 0 ? [] : tags.Split(TagSeparator);
    }

    private static BsonDocument NoteToBson(Note note, RequestSealer sealer) => new()
    {
        ["id"] = note.Id,
        ["author"] = note.Author,
        ["create_time"] = note.CreateTime.UtcTicks,
        ["text"] = sealer.Seal(NoteField(note.Id, "text"), note.Text),
        // Sealed too: a client's idempotency key may have been built from content.
        ["request_id"] = note.RequestId is null ? BsonValue.Null : sealer.Seal(NoteField(note.Id, "request_id"), note.RequestId),
    };

    private static Note NoteFromBson(BsonDocument doc, RequestSealer sealer) => new(
        doc["id"].AsString,
        doc["author"].AsString,
        Utc(doc["create_time"]),
        sealer.Open(NoteField(doc["id"].AsString, "text"), doc["text"].AsBinary),
        doc["request_id"].IsNull ? null : sealer.Open(NoteField(doc["id"].AsString, "request_id"), doc["request_id"].AsBinary));

    /// <summary>Each note is bound to its own id, so notes cannot be swapped or replayed within a request either.</summary>
    private static string NoteField(string noteId, string field) => "notes/" + noteId + "/" + field;

    private static BsonValue OptionalString(string? value) => value is null ? BsonValue.Null : new BsonValue(value);

    private static string? OptionalString(BsonValue value) => value.IsNull ? null : value.AsString;

    internal static DateTimeOffset Utc(BsonValue ticks) => new(ticks.AsInt64, TimeSpan.Zero);
}
