using Hotline.Contract.V1;

namespace Hotline.Console.State;

/// <summary>
/// What one batch changed, so listeners redraw once per batch and ring the bell only for
/// requests that are new since the last batch.
/// </summary>
public sealed record QueueDelta(
    IReadOnlySet<string> ChangedNames,
    IReadOnlyList<HelpRequest> Created,
    bool Reloaded,
    bool ConnectionChanged)
{
    public bool RequestsChanged => Reloaded || ChangedNames.Count > 0;

    /// <summary>Requests the server escalated in this batch (each a step of its own: one crossing, one entry).</summary>
    public IReadOnlyList<HelpRequest> Escalated { get; init; } = [];

    /// <summary>Requests whose follow-up the server marked due in this batch.</summary>
    public IReadOnlyList<HelpRequest> FollowUpsDue { get; init; } = [];
}
