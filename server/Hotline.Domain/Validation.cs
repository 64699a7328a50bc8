using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Hotline.Domain;

/// <summary>Input limits, shared by every entry point so the contract's documented numbers hold everywhere.</summary>
public static partial class Validation
{
    public const int MaxMessageLength = 8_000;
    public const int MaxNoteLength = 8_000;
    public const int MaxContactHandleLength = 256;
    public const int MaxLanguageLength = 35;
    public const int MaxRegionLength = 200;
    public const int MaxTags = 20;
    public const int MaxTagLength = 40;
    public const int MaxCommentLength = 2_000;
    public const int MaxClientRequestIdLength = 64;
    public const int MaxFollowUpReasonLength = 200;
    public const int MaxHandOverNoteLength = 2_000;

    /// <summary>How far ahead a follow-up may be set: further than this is a reminder nobody will be there to keep.</summary>
    public static readonly TimeSpan MaxFollowUpAhead = TimeSpan.FromDays(90);

    // \z, not $: in .NET `$` also matches before a final "\n", which would let a line break through.
    [GeneratedRegex(@"^[A-Za-z0-9._:-]+\z")]
    private static partial Regex ClientRequestIdPattern();

    // RFC 5646's langtag, with the primary language limited to ISO 639's two or three letters (the
    // four-to-eight-letter forms are reserved or unused): language[-extlang][-script][-region]
    // *(-variant) *(-extension) [-privateuse]. Looser, the field took words ("russian-please").
    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-[0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+)*(-[xX](-[A-Za-z0-9]{1,8})+)?\z")]
    private static partial Regex LanguageTagPattern();

    /// <summary>Counts Unicode code points, so limits mean the same in every language a client uses.</summary>
    public static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }

    /// <summary>Checks a submission and returns it cleaned up; throws INVALID_ARGUMENT naming every bad field.</summary>
    public static NewHelpRequest CheckSubmission(NewHelpRequest draft)
    {
        var violations = new List<FieldViolation>();
        ClientRequestId(violations, "request_id", draft.IntakeRequestId, required: true);
        if (draft.Channel == Channel.Unspecified || !Enum.IsDefined(draft.Channel))
        {
            violations.Add(new("channel", "must be one of the Channel values other than CHANNEL_UNSPECIFIED"));
        }
        SingleLine(violations, "contact_handle", draft.ContactHandle, MaxContactHandleLength);
        Language(violations, "language", draft.Language);
        Text(violations, "message", draft.Message, MaxMessageLength, required: true);
        if (!Enum.IsDefined(draft.Urgency))
        {
            violations.Add(new("urgency", "must be one of the Urgency values"));
        }
        SingleLine(violations, "region", draft.Region, MaxRegionLength);
        var tags = Tags(violations, "tags", draft.Tags);
        if (violations.Count > 0)
        {
            DomainException.ThrowInvalid(violations);
        }
        return draft with
        {
            ContactHandle = draft.ContactHandle.Trim(),
            Language = draft.Language,
            Region = draft.Region.Trim(),
            Urgency = draft.Urgency == Urgency.Unspecified ? Urgency.Routine : draft.Urgency,
            Tags = tags,
        };
    }

    public static void ClientRequestId(List<FieldViolation> violations, string field, string value, bool required)
    {
        if (value.Length == 0)
        {
            if (required)
            {
                violations.Add(new(field, "is required: a caller-chosen id, such as a UUID, reused for retries"));
            }
        }
        else if (value.Length > MaxClientRequestIdLength || !ClientRequestIdPattern().IsMatch(value))
        {
            violations.Add(new(field, $"must be 1 to {MaxClientRequestIdLength} characters of A-Z a-z 0-9 . _ : -"));
        }
    }

    public static void Language(List<FieldViolation> violations, string field, string value)
    {
        if (value.Length > 0 && (value.Length > MaxLanguageLength || !LanguageTagPattern().IsMatch(value)))
        {
            violations.Add(new(field, $"must be a BCP 47 language tag such as 'ru' or 'en-GB', at most {MaxLanguageLength} characters"));
        }
    }

    /// <summary>Free text that may span lines (messages, notes, comments).</summary>
    public static void Text(List<FieldViolation> violations, string field, string value, int max, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                violations.Add(new(field, "is required and must not be only whitespace"));
            }
            return;
        }
        if (CodePoints(value) > max)
        {
            violations.Add(new(field, $"must be at most {max.ToString("N0", CultureInfo.InvariantCulture)} characters"));
        }
        else if (HasForbiddenControl(value, allowLineBreaks: true))
        {
            violations.Add(new(field, "must not contain control characters other than line breaks and tabs"));
        }
    }

    /// <summary>Short text on one line (handles, regions).</summary>
    public static void SingleLine(List<FieldViolation> violations, string field, string value, int max)
    {
        if (CodePoints(value) > max)
        {
            violations.Add(new(field, $"must be at most {max} characters"));
        }
        else if (HasForbiddenControl(value, allowLineBreaks: false))
        {
            violations.Add(new(field, "must not contain control characters or line breaks"));
        }
    }

    public static IReadOnlyList<string> Tags(List<FieldViolation> violations, string field, IReadOnlyList<string> tags)
    {
        if (tags.Count > MaxTags)
        {
            violations.Add(new(field, $"must hold at most {MaxTags} tags"));
            return [];
        }
        var kept = new List<string>(tags.Count);
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i];
            var length = CodePoints(tag);
            if (length is 0 || length > MaxTagLength || tag.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                violations.Add(new($"{field}[{i}]", $"must be 1 to {MaxTagLength} characters without whitespace or control characters"));
            }
            else if (!kept.Contains(tag, StringComparer.Ordinal))
            {
                kept.Add(tag);
            }
        }
        return kept;
    }

    private static bool HasForbiddenControl(string value, bool allowLineBreaks)
    {
        foreach (var rune in value.EnumerateRunes())
        {
            if (allowLineBreaks && rune.Value is '\n' or '\r' or '\t')
            {
                continue;
            }
            if (Rune.IsControl(rune))
            {
                return true;
            }
        }
        return false;
    }
}
