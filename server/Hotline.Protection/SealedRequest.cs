using Hotline.Domain;

namespace Hotline.Protection;

/// <summary>A note as every store keeps it: who and when in the clear, the text and the client's idempotency key sealed.</summary>
public sealed record SealedNote(string Id, string Author, DateTimeOffset CreateTime, byte[] Text, byte[]? ClientKey);

/// <summary>
/// A request as every store keeps it: the fields queues filter and sort on in the clear, the free
/// text sealed under the request's data key, each blob bound to the request and the field it
/// belongs to (<see cref="FieldCipher.AssociatedData"/>), so no blob can be moved to another
/// request or field unnoticed. The field names bound into the blobs are part of the format: a blob
/// sealed by one store opens in another.
/// </summary>
public sealed record SealedRequest
{
    public const string ContactHandleField = "contact_handle";
    public const string MessageField = "message";
    public const string RegionField = "region";
    public const string TagsField = "tags";
    public const string ResolutionCommentField = "resolution_comment";
    public const string FollowUpReasonField = "follow_up/reason";

    /// <summary>Tags never hold whitespace (<see cref="Validation"/>), so a line break separates them unambiguously.</summary>
    private const string TagSeparator = "\n";

    /// <summary>The request without its sealed fields, which are left empty.</summary>
    public required HelpRequest Envelope { get; init; }

    public required byte[] ContactHandle { get; init; }
    public required byte[] Message { get; init; }
    public required byte[] Region { get; init; }
    public required byte[] Tags { get; init; }
    public required byte[] ResolutionComment { get; init; }
    public required IReadOnlyList<SealedNote> Notes { get; init; }

    /// <summary>The follow-up's reason, sealed; null when the request has no follow-up. The rest of the follow-up is in the envelope.</summary>
    public byte[]? FollowUpReason { get; init; }

    public static SealedRequest Seal(HelpRequest request, RequestSealer sealer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sealer);
        if (!string.Equals(request.Id, sealer.RequestId, StringComparison.Ordinal))
        {
            throw new ArgumentException("The sealer belongs to another request.", nameof(sealer));
        }
        return new SealedRequest
        {
            Envelope = EnvelopeOf(request),
            ContactHandle = sealer.Seal(ContactHandleField, request.ContactHandle),
            Message = sealer.Seal(MessageField, request.Message),
            Region = sealer.Seal(RegionField, request.Region),
            Tags = sealer.Seal(TagsField, string.Join(TagSeparator, request.Tags)),
            ResolutionComment = sealer.Seal(ResolutionCommentField, request.ResolutionComment),
            FollowUpReason = request.FollowUp is { } followUp ? sealer.Seal(FollowUpReasonField, followUp.Reason) : null,
            Notes = [.. request.Notes.Select(note => new SealedNote(
                note.Id,
                note.Author,
                note.CreateTime,
                sealer.Seal(NoteField(note.Id, "text"), note.Text),
                note.RequestId is null ? null : sealer.Seal(NoteField(note.Id, "request_id"), note.RequestId)))],
        };
    }

    /// <summary>The request opened under <paramref name="sealer"/>, with the requester's earlier contacts as counted by the store.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">A blob was altered or moved.</exception>
    public HelpRequest Open(RequestSealer sealer, int earlierContacts)
    {
        ArgumentNullException.ThrowIfNull(sealer);
        var tags = sealer.Open(TagsField, Tags);
        return Envelope with
        {
            ContactHandle = sealer.Open(ContactHandleField, ContactHandle),
            Message = sealer.Open(MessageField, Message),
            Region = sealer.Open(RegionField, Region),
            Tags = tags.Length == 0 ? [] : tags.Split(TagSeparator),
            Notes = [.. Notes.Select(note => new Note(
                note.Id,
                note.Author,
                note.CreateTime,
                sealer.Open(NoteField(note.Id, "text"), note.Text),
                note.ClientKey is null ? null : sealer.Open(NoteField(note.Id, "request_id"), note.ClientKey)))],
            ResolutionComment = sealer.Open(ResolutionCommentField, ResolutionComment),
            FollowUp = Envelope.FollowUp is { } followUp && FollowUpReason is { } reason
                ? followUp with { Reason = sealer.Open(FollowUpReasonField, reason) }
                : Envelope.FollowUp,
            EarlierContacts = earlierContacts,
        };
    }

    /// <summary>Roughly how many bytes the request takes: its sealed blobs; what a page's size is counted in.</summary>
    public long SealedBytes =>
        ContactHandle.Length + Message.Length + Region.Length + Tags.Length + ResolutionComment.Length + (FollowUpReason?.Length ?? 0)
        + Notes.Sum(n => (long)n.Text.Length + (n.ClientKey?.Length ?? 0));

    /// <summary>Each note is bound to its own id, so notes cannot be swapped or replayed within a request either.</summary>
    public static string NoteField(string noteId, string field) => "notes/" + noteId + "/" + field;

    private static HelpRequest EnvelopeOf(HelpRequest request) => request with
    {
        ContactHandle = "",
        Message = "",
        Region = "",
        Tags = [],
        Notes = [],
        ResolutionComment = "",
        FollowUp = request.FollowUp is { } followUp ? followUp with { Reason = "" } : null,
    };
}
