using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Hotline.Contract.V1;

namespace Hotline.JsonlIntake;

/// <summary>
/// One input line: a JSON object shaped like SubmitRequestRequest in protobuf JSON (the same body
/// the HTTP/JSON intake takes: `channel`, `message`, `contact_handle`, `language`, `urgency`,
/// `region`, `tags`; snake_case or camelCase names, enum names like `CHANNEL_SMS`), plus an optional
/// `source_id`, the record's id in the system it was exported from.
/// </summary>
internal static class IntakeLine
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    /// <summary>
    /// The request to submit, with a request_id that is the same every time this line is read
    /// from this source: the line's own `request_id` if it has one; else derived from the source
    /// and `source_id`; else from the source and the line's bytes. Null, with why (never the
    /// line's text), when the line is not a request.
    /// </summary>
    public static SubmitRequestRequest? Parse(string line, string source, out string? field, out string? problem)
    {
        field = null;
        problem = null;
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(line);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            problem = "not valid JSON";
            return null;
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "not a JSON object";
            return null;
        }
        string? sourceId = null;
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("source_id") || property.NameEquals("sourceId"))
            {
                if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString() is not { Length: > 0 } id)
                {
                    field = "source_id";
                    problem = "source_id must be a non-empty string";
                    return null;
                }
                sourceId = id;
            }
            else
            {
                fields[property.Name] = property.Value;
            }
        }
        var request = new SubmitRequestRequest();
        foreach (var (name, value) in fields)
        {
            // One field at a time, so a refusal names the field; the parser's own message may
            // quote the value, so it is never shown.
            var descriptor = SubmitRequestRequest.Descriptor.FindFieldByName(name)
                ?? SubmitRequestRequest.Descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name);
            if (descriptor is null)
            {
                problem = $"unknown field {Shorten(name)}";
                return null;
            }
            try
            {
                request.MergeFrom(Parser.Parse<SubmitRequestRequest>(JsonSerializer.Serialize(new Dictionary<string, JsonElement> { [name] = value })));
            }
            catch (InvalidProtocolBufferException)
            {
                field = descriptor.Name;
                problem = $"{descriptor.Name}: not a valid {Describe(descriptor)}";
                return null;
            }
        }
        if (request.RequestId.Length == 0)
        {
            request.RequestId = DeriveId(source, sourceId is null ? "line" : "id", sourceId ?? line);
        }
        return request;
    }

    /// <summary>`jsonl-` and 128 bits of SHA-256 over the source and the key, in the server's request_id alphabet.</summary>
    public static string DeriveId(string source, string kind, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{source}\n{kind}\n{key}"));
        return "jsonl-" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    private static string Describe(Google.Protobuf.Reflection.FieldDescriptor field) =>
        field.FieldType == Google.Protobuf.Reflection.FieldType.Enum ? $"{field.EnumType.Name} name, such as {field.EnumType.Values[1].Name}"
        : field.IsRepeated ? "list of strings"
        : "string";

    private static string Shorten(string name)
    {
        var printable = new string([.. name.Where(c => !char.IsControl(c)).Take(40)]);
        return $"'{printable}'";
    }
}
