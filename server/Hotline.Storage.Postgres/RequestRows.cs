using System.Text.Json;
using Hotline.Domain;
using Hotline.Protection;
using Npgsql;
using NpgsqlTypes;

namespace Hotline.Storage.Postgres;

/// <summary>
/// Maps <see cref="SealedRequest"/> to and from the <c>requests</c> table and the change log's
/// <c>jsonb</c>. Column and JSON names are part of the database format: they must not move when a
/// C# property is renamed. Nothing here opens or seals anything.
/// </summary>
internal static class RequestRows
{
    /// <summary>Every column of a request row, in the order <see cref="Read"/> expects, prefixed for a query aliasing the table as <c>r</c>.</summary>
    public const string Columns =
        "r.id, r.number, r.channel, r.language, r.urgency, r.state, r.assignee, r.resolution, r.closed_by, "
        + "r.create_ticks, r.update_ticks, r.close_ticks, r.revision, r.submitted_by, r.earlier_contacts, "
        + "r.contact_handle, r.message, r.region, r.tags, r.resolution_comment, r.notes, "
        + "r.first_claim_ticks, r.escalation_step, r.waiting_since_ticks, r.follow_up, r.hand_over";

    /// <summary>How many columns <see cref="Columns"/> holds: a query may select more after them.</summary>
    public const int ColumnCount = 26;

    /// <summary>Every column but the id, as written; <see cref="Bind"/> gives a parameter of the same name for each.</summary>
    private const string Writable =
        "number, channel, language, urgency, state, assignee, resolution, closed_by, "
        + "create_ticks, update_ticks, close_ticks, revision, submitted_by, earlier_contacts, "
        + "contact_handle, message, region, tags, resolution_comment, notes, requester, "
        + "first_claim_ticks, escalation_step, waiting_since_ticks, follow_up, hand_over";

    private const string WritableValues =
        "@number, @channel, @language, @urgency, @state, @assignee, @resolution, @closed_by, "
        + "@create_ticks, @update_ticks, @close_ticks, @revision, @submitted_by, @earlier_contacts, "
        + "@contact_handle, @message, @region, @tags, @resolution_comment, @notes, @requester, "
        + "@first_claim_ticks, @escalation_step, @waiting_since_ticks, @follow_up, @hand_over";

    public static SealedRequest Read(NpgsqlDataReader row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new SealedRequest
        {
            Envelope = new HelpRequest
            {
                Id = row.GetString(0),
                Number = row.GetInt64(1),
                Channel = (Channel)row.GetInt32(2),
                Language = row.GetString(3),
                Urgency = (Urgency)row.GetInt32(4),
                State = (RequestState)row.GetInt32(5),
                Assignee = row.IsDBNull(6) ? null : row.GetString(6),
                Resolution = (Resolution)row.GetInt32(7),
                ClosedBy = row.IsDBNull(8) ? null : row.GetString(8),
                CreateTime = Utc(row.GetInt64(9)),
                UpdateTime = Utc(row.GetInt64(10)),
                CloseTime = row.IsDBNull(11) ? null : Utc(row.GetInt64(11)),
                Revision = row.GetInt64(12),
                SubmittedBy = row.GetString(13),
                EarlierContacts = row.GetInt32(14),
                FirstClaimTime = row.IsDBNull(21) ? null : Utc(row.GetInt64(21)),
                EscalationStep = row.GetInt32(22),
                WaitingSince = Utc(row.GetInt64(23)),
                FollowUp = row.IsDBNull(24) ? null : FollowUpFromJson(row.GetString(24)).FollowUp,
                HandOver = row.IsDBNull(25) ? null : HandOverFromJson(row.GetString(25)),
                Message = "",
            },
            ContactHandle = (byte[])row.GetValue(15),
            Message = (byte[])row.GetValue(16),
            Region = (byte[])row.GetValue(17),
            Tags = (byte[])row.GetValue(18),
            ResolutionComment = (byte[])row.GetValue(19),
            Notes = NotesFromJson(row.GetString(20)),
            FollowUpReason = row.IsDBNull(24) ? null : FollowUpFromJson(row.GetString(24)).Reason,
        };
    }

    /// <param name="requester">The requester's pseudonym, or null for a request without a contact handle.</param>
    public static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SealedRequest request, byte[]? requester,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO requests (id, " + Writable + ") VALUES (@id, " + WritableValues + ")",
            connection, transaction);
        Bind(command.Parameters, request, requester);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the stored row of <paramref name="request"/>; false when it is not there.</summary>
    public static async Task<bool> UpdateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SealedRequest request, byte[]? requester,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "UPDATE requests SET (" + Writable + ") = (" + WritableValues + ") WHERE id = @id",
            connection, transaction);
        Bind(command.Parameters, request, requester);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>The insert of a new request's row, for the writer's thread to send with its batch (<see cref="PostgresRows"/>).</summary>
    public static NpgsqlBatchCommand InsertStatement(SealedRequest request, byte[]? requester)
    {
        var statement = new NpgsqlBatchCommand("INSERT INTO requests (id, " + Writable + ") VALUES (@id, " + WritableValues + ")");
        Bind(statement.Parameters, request, requester);
        return statement;
    }

    /// <summary>
    /// Replaces the row of <paramref name="request"/> only while it is still at
    /// <paramref name="expectedRevision"/>, the revision the command was decided against: a
    /// conditional update, so a decision never lands on a row that moved under it. It touched no
    /// row when the row had moved.
    /// </summary>
    public static NpgsqlBatchCommand UpdateIfAtStatement(SealedRequest request, byte[]? requester, long expectedRevision)
    {
        var statement = new NpgsqlBatchCommand("UPDATE requests SET (" + Writable + ") = (" + WritableValues + ") WHERE id = @id AND revision = @expected");
        Bind(statement.Parameters, request, requester);
        statement.Parameters.AddWithValue("expected", expectedRevision);
        return statement;
    }

    /// <summary>The request as the change log keeps it: every column but the requester's pseudonym, sealed fields as base64.</summary>
    public static string ToJson(SealedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var envelope = request.Envelope;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", envelope.Id);
            json.WriteNumber("number", envelope.Number);
            json.WriteNumber("channel", (int)envelope.Channel);
            json.WriteString("language", envelope.Language);
            json.WriteNumber("urgency", (int)envelope.Urgency);
            json.WriteNumber("state", (int)envelope.State);
            WriteOptional(json, "assignee", envelope.Assignee);
            json.WriteNumber("resolution", (int)envelope.Resolution);
            WriteOptional(json, "closed_by", envelope.ClosedBy);
            json.WriteNumber("create_ticks", envelope.CreateTime.UtcTicks);
            json.WriteNumber("update_ticks", envelope.UpdateTime.UtcTicks);
            if (envelope.CloseTime is { } closed)
            {
                json.WriteNumber("close_ticks", closed.UtcTicks);
            }
            json.WriteNumber("revision", envelope.Revision);
            json.WriteString("submitted_by", envelope.SubmittedBy);
            json.WriteNumber("earlier_contacts", envelope.EarlierContacts);
            json.WriteBase64String("contact_handle", request.ContactHandle);
            json.WriteBase64String("message", request.Message);
            json.WriteBase64String("region", request.Region);
            json.WriteBase64String("tags", request.Tags);
            json.WriteBase64String("resolution_comment", request.ResolutionComment);
            json.WritePropertyName("notes");
            WriteNotes(json, request.Notes);
            if (envelope.FirstClaimTime is { } claimed)
            {
                json.WriteNumber("first_claim_ticks", claimed.UtcTicks);
            }
            json.WriteNumber("escalation_step", envelope.EscalationStep);
            json.WriteNumber("waiting_since_ticks", envelope.WaitingSince.UtcTicks);
            if (envelope.FollowUp is { } followUp)
            {
                json.WritePropertyName("follow_up");
                WriteFollowUp(json, followUp, request.FollowUpReason);
            }
            if (envelope.HandOver is { } handOver)
            {
                json.WritePropertyName("hand_over");
                WriteHandOver(json, handOver);
            }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static SealedRequest FromJson(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        return new SealedRequest
        {
            Envelope = new HelpRequest
            {
                Id = root.GetProperty("id").GetString()!,
                Number = root.GetProperty("number").GetInt64(),
                Channel = (Channel)root.GetProperty("channel").GetInt32(),
                Language = root.GetProperty("language").GetString()!,
                Urgency = (Urgency)root.GetProperty("urgency").GetInt32(),
                State = (RequestState)root.GetProperty("state").GetInt32(),
                Assignee = OptionalString(root, "assignee"),
                Resolution = (Resolution)root.GetProperty("resolution").GetInt32(),
                ClosedBy = OptionalString(root, "closed_by"),
                CreateTime = Utc(root.GetProperty("create_ticks").GetInt64()),
                UpdateTime = Utc(root.GetProperty("update_ticks").GetInt64()),
                CloseTime = root.TryGetProperty("close_ticks", out var closed) ? Utc(closed.GetInt64()) : null,
                Revision = root.GetProperty("revision").GetInt64(),
                SubmittedBy = root.GetProperty("submitted_by").GetString()!,
                EarlierContacts = root.GetProperty("earlier_contacts").GetInt32(),
                FirstClaimTime = root.TryGetProperty("first_claim_ticks", out var claimed) ? Utc(claimed.GetInt64()) : null,
                EscalationStep = root.GetProperty("escalation_step").GetInt32(),
                WaitingSince = Utc(root.GetProperty("waiting_since_ticks").GetInt64()),
                FollowUp = root.TryGetProperty("follow_up", out var followUp) ? ReadFollowUp(followUp).FollowUp : null,
                HandOver = root.TryGetProperty("hand_over", out var handOver) ? ReadHandOver(handOver) : null,
                Message = "",
            },
            FollowUpReason = root.TryGetProperty("follow_up", out var sealedFollowUp) ? ReadFollowUp(sealedFollowUp).Reason : null,
            ContactHandle = root.GetProperty("contact_handle").GetBytesFromBase64(),
            Message = root.GetProperty("message").GetBytesFromBase64(),
            Region = root.GetProperty("region").GetBytesFromBase64(),
            Tags = root.GetProperty("tags").GetBytesFromBase64(),
            ResolutionComment = root.GetProperty("resolution_comment").GetBytesFromBase64(),
            Notes = ReadNotes(root.GetProperty("notes")),
        };
    }

    public static DateTimeOffset Utc(long ticks) => new(ticks, TimeSpan.Zero);

    private static void Bind(NpgsqlParameterCollection parameters, SealedRequest request, byte[]? requester)
    {
        var envelope = request.Envelope;
        parameters.AddWithValue("id", envelope.Id);
        parameters.AddWithValue("number", envelope.Number);
        parameters.AddWithValue("channel", (int)envelope.Channel);
        parameters.AddWithValue("language", envelope.Language);
        parameters.AddWithValue("urgency", (int)envelope.Urgency);
        parameters.AddWithValue("state", (int)envelope.State);
        parameters.Add(new NpgsqlParameter("assignee", NpgsqlDbType.Text) { Value = (object?)envelope.Assignee ?? DBNull.Value });
        parameters.AddWithValue("resolution", (int)envelope.Resolution);
        parameters.Add(new NpgsqlParameter("closed_by", NpgsqlDbType.Text) { Value = (object?)envelope.ClosedBy ?? DBNull.Value });
        parameters.AddWithValue("create_ticks", envelope.CreateTime.UtcTicks);
        parameters.AddWithValue("update_ticks", envelope.UpdateTime.UtcTicks);
        parameters.Add(new NpgsqlParameter("close_ticks", NpgsqlDbType.Bigint) { Value = (object?)envelope.CloseTime?.UtcTicks ?? DBNull.Value });
        parameters.AddWithValue("revision", envelope.Revision);
        parameters.AddWithValue("submitted_by", envelope.SubmittedBy);
        parameters.AddWithValue("earlier_contacts", envelope.EarlierContacts);
        parameters.AddWithValue("contact_handle", request.ContactHandle);
        parameters.AddWithValue("message", request.Message);
        parameters.AddWithValue("region", request.Region);
        parameters.AddWithValue("tags", request.Tags);
        parameters.AddWithValue("resolution_comment", request.ResolutionComment);
        parameters.Add(new NpgsqlParameter("notes", NpgsqlDbType.Jsonb) { Value = NotesToJson(request.Notes) });
        parameters.Add(new NpgsqlParameter("requester", NpgsqlDbType.Bytea) { Value = (object?)requester ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter("first_claim_ticks", NpgsqlDbType.Bigint) { Value = (object?)envelope.FirstClaimTime?.UtcTicks ?? DBNull.Value });
        parameters.AddWithValue("escalation_step", envelope.EscalationStep);
        parameters.AddWithValue("waiting_since_ticks", envelope.WaitingSince.UtcTicks);
        parameters.Add(new NpgsqlParameter("follow_up", NpgsqlDbType.Jsonb)
        {
            Value = envelope.FollowUp is { } followUp ? JsonOf(json => WriteFollowUp(json, followUp, request.FollowUpReason)) : DBNull.Value,
        });
        parameters.Add(new NpgsqlParameter("hand_over", NpgsqlDbType.Jsonb)
        {
            Value = envelope.HandOver is { } handOver ? JsonOf(json => WriteHandOver(json, handOver)) : DBNull.Value,
        });
    }

    private static string JsonOf(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The follow-up as stored: its reason only as the sealed blob (the envelope's reason is empty).</summary>
    private static void WriteFollowUp(Utf8JsonWriter json, FollowUp followUp, byte[]? sealedReason)
    {
        json.WriteStartObject();
        json.WriteNumber("due_ticks", followUp.DueTime.UtcTicks);
        if (sealedReason is not null)
        {
            json.WriteBase64String("reason", sealedReason);
        }
        json.WriteString("set_by", followUp.SetBy);
        json.WriteBoolean("due", followUp.Due);
        json.WriteEndObject();
    }

    private static (FollowUp FollowUp, byte[]? Reason) ReadFollowUp(JsonElement value) => (
        new FollowUp(Utc(value.GetProperty("due_ticks").GetInt64()), "", value.GetProperty("set_by").GetString()!, value.GetProperty("due").GetBoolean()),
        value.TryGetProperty("reason", out var reason) ? reason.GetBytesFromBase64() : null);

    private static (FollowUp FollowUp, byte[]? Reason) FollowUpFromJson(string text)
    {
        using var document = JsonDocument.Parse(text);
        return ReadFollowUp(document.RootElement);
    }

    private static void WriteHandOver(Utf8JsonWriter json, HandOver handOver)
    {
        json.WriteStartObject();
        json.WriteString("from", handOver.From);
        json.WriteString("to", handOver.To);
        json.WriteString("note_id", handOver.NoteId);
        json.WriteNumber("ticks", handOver.Time.UtcTicks);
        json.WriteEndObject();
    }

    private static HandOver ReadHandOver(JsonElement value) => new(
        value.GetProperty("from").GetString()!,
        value.GetProperty("to").GetString()!,
        value.GetProperty("note_id").GetString()!,
        Utc(value.GetProperty("ticks").GetInt64()));

    private static HandOver HandOverFromJson(string text)
    {
        using var document = JsonDocument.Parse(text);
        return ReadHandOver(document.RootElement);
    }

    private static string NotesToJson(IReadOnlyList<SealedNote> notes)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteNotes(json, notes);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteNotes(Utf8JsonWriter json, IReadOnlyList<SealedNote> notes)
    {
        json.WriteStartArray();
        foreach (var note in notes)
        {
            json.WriteStartObject();
            json.WriteString("id", note.Id);
            json.WriteString("author", note.Author);
            json.WriteNumber("ticks", note.CreateTime.UtcTicks);
            json.WriteBase64String("text", note.Text);
            if (note.ClientKey is { } clientKey)
            {
                json.WriteBase64String("client_key", clientKey);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static SealedNote[] NotesFromJson(string text)
    {
        using var document = JsonDocument.Parse(text);
        return ReadNotes(document.RootElement);
    }

    private static SealedNote[] ReadNotes(JsonElement array) =>
    [
        .. array.EnumerateArray().Select(note => new SealedNote(
            note.GetProperty("id").GetString()!,
            note.GetProperty("author").GetString()!,
            Utc(note.GetProperty("ticks").GetInt64()),
            note.GetProperty("text").GetBytesFromBase64(),
            note.TryGetProperty("client_key", out var key) ? key.GetBytesFromBase64() : null)),
    ];

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value.GetString() : null;
}
