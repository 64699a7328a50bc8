namespace Hotline.Console.State;

/// <summary>A note not yet stored, and the id that makes its retries idempotent.</summary>
public sealed record NoteDraft(string Text, string RequestId);

/// <summary>
/// Notes being written, per request. A draft survives a cancelled dialog, a refused or failed
/// save and a dropped connection; it is forgotten only once the server has stored it.
/// </summary>
public sealed class NoteDrafts
{
    private readonly Dictionary<string, NoteDraft> _drafts = new(StringComparer.Ordinal);

    public int Count => _drafts.Count;

    /// <summary>The requests that have a draft, by resource name.</summary>
    public IReadOnlyCollection<string> Names => _drafts.Keys;

    public NoteDraft? Find(string requestName) => _drafts.GetValueOrDefault(requestName);

    /// <summary>Keeps <paramref name="text"/> for the request; blank text drops the draft.</summary>
    public NoteDraft? Keep(string requestName, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            _drafts.Remove(requestName);
            return null;
        }
        var requestId = _drafts.TryGetValue(requestName, out var existing) && existing.Text == text
            ? existing.RequestId
            : "note-" + Guid.NewGuid().ToString("N");
        return _drafts[requestName] = new NoteDraft(text, requestId);
    }

    public void Forget(string requestName) => _drafts.Remove(requestName);
}
