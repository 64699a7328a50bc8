using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// Maps <see cref="HelpRequest"/> to and from BSON by hand: field names are part of the file
/// format and must not move when a C# property is renamed. Times are UTC ticks, because LiteDB
/// keeps DateTime to the millisecond only; enums are their contract numbers.
/// </summary>
internal static class RequestDocument
{
    public const string Collection = "requests";
    public const string StateField = "state";
    public const string NumberField = "number";

    public static BsonDocument ToBson(HelpRequest request) => new()
    {
        ["_id"] = request.Id,
        [NumberField] = request.Number,
        ["channel"] = (int)request.Channel,
        ["contact_handle"] = request.ContactHandle,
        ["language"] = request.Language,
        ["message"] = request.Message,
        ["urgency"] = (int)request.Urgency,
        ["region"] = request.Region,
        ["tags"] = new BsonArray(request.Tags.Select(t => new BsonValue(t))),
        [StateField] = (int)request.State,
        ["assignee"] = OptionalString(request.Assignee),
        ["notes"] = new BsonArray(request.Notes.Select(NoteToBson)),
        ["resolution"] = (int)request.Resolution,
        ["resolution_comment"] = request.ResolutionComment,
        ["closed_by"] = OptionalString(request.ClosedBy),
        ["create_time"] = request.CreateTime.UtcTicks,
        ["update_time"] = request.UpdateTime.UtcTicks,
        ["close_time"] = request.CloseTime is { } closed ? new BsonValue(closed.UtcTicks) : BsonValue.Null,
        ["revision"] = request.Revision,
        ["submitted_by"] = request.SubmittedBy,
    };

    public static HelpRequest FromBson(BsonDocument doc) => new()
    {
        Id = doc["_id"].AsString,
        Number = doc[NumberField].AsInt64,
        Channel = (Channel)doc["channel"].AsInt32,
        ContactHandle = doc["contact_handle"].AsString,
        Language = doc["language"].AsString,
        Message = doc["message"].AsString,
        Urgency = (Urgency)doc["urgency"].AsInt32,
        Region = doc["region"].AsString,
        Tags = [.. doc["tags"].AsArray.Select(t => t.AsString)],
        State = (RequestState)doc[StateField].AsInt32,
        Assignee = OptionalString(doc["assignee"]),
        Notes = [.. doc["notes"].AsArray.Select(n => NoteFromBson(n.AsDocument))],
        Resolution = (Resolution)doc["resolution"].AsInt32,
        ResolutionComment = doc["resolution_comment"].AsString,
        ClosedBy = OptionalString(doc["closed_by"]),
        CreateTime = Utc(doc["create_time"]),
        UpdateTime = Utc(doc["update_time"]),
        CloseTime = doc["close_time"].IsNull ? null : Utc(doc["close_time"]),
        Revision = doc["revision"].AsInt64,
        SubmittedBy = doc["submitted_by"].AsString,
    };

    private static BsonDocument NoteToBson(Note note) => new()
    {
        ["id"] = note.Id,
        ["author"] = note.Author,
        ["create_time"] = note.CreateTime.UtcTicks,
        ["text"] = note.Text,
        ["request_id"] = OptionalString(note.RequestId),
    };

    private static Note NoteFromBson(BsonDocument doc) => new(
        doc["id"].AsString,
        doc["author"].AsString,
        Utc(doc["create_time"]),
        doc["text"].AsString,
        OptionalString(doc["request_id"]));

    private static BsonValue OptionalString(string? value) => value is null ? BsonValue.Null : new BsonValue(value);

    private static string? OptionalString(BsonValue value) => value.IsNull ? null : value.AsString;

    internal static DateTimeOffset Utc(BsonValue ticks) => new(ticks.AsInt64, TimeSpan.Zero);
}
