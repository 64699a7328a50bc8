using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>
/// What the operator holds, remembered between batches of changes, so that a request someone
/// else took over, put back or closed (not by the operator's own action) is told at once, with
/// word that their draft note, if any, is kept.
/// </summary>
/// <remarks>UI thread only, like the model it reads.</remarks>
public sealed class HeldRequests(QueueModel model, NoteDrafts drafts)
{
    private HashSet<string> _heldByMe = new(StringComparer.Ordinal);

    /// <summary>
    /// The alert for the first request of <paramref name="delta"/> the operator held and no longer
    /// holds, or null. <paramref name="actingOn"/> is the request of the operator's own running action.
    /// </summary>
    private string? TakenFromMe(QueueDelta delta, string? actingOn)
    {
        var me = model.Me?.Name;
        if (me is null || delta.Reloaded)
        {
            return null;
        }
        foreach (var name in delta.ChangedNames)
        {
            if (!_heldByMe.Contains(name) || name == actingOn || model.Find(name) is not { } now || now.Assignee == me)
            {
                continue;
            }
            var draft = drafts.Find(name) is null ? "" : " Your draft note is kept (n).";
            return now.Assignee.Length > 0
                ? $"#{now.Number} was taken over: {Labels.Person(now.Assignee, model.DisplayName)} holds it now.{draft}"
                : now.State == RequestState.Closed
                    ? $"#{now.Number}, which you held, was closed by someone else.{draft}"
                    : $"#{now.Number} was put back in the queue by someone else.{draft}";
        }
        return null;
    }

    /// <summary>
    /// Reads one batch: the alert for a request taken from the operator in it, or null (see
    /// <see cref="TakenFromMe"/>), then remembers what they hold after it.
    /// </summary>
    public string? Follow(QueueDelta delta, string? actingOn)
    {
        var taken = TakenFromMe(delta, actingOn);
        if (delta.Reloaded)
        {
            Remember();
        }
        else
        {
            Remember(delta.ChangedNames);
        }
        return taken;
    }

    /// <summary>Remembers everything the operator holds now: after a reload or their own action.</summary>
    public void Remember()
    {
        var me = model.Me?.Name;
        _heldByMe = me is null
            ? new HashSet<string>(StringComparer.Ordinal)
            : model.Requests.Where(r => IsMine(r, me)).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The same for the requests a batch changed: the others are as they were.</summary>
    private void Remember(IEnumerable<string> changedNames)
    {
        var me = model.Me?.Name;
        foreach (var name in changedNames)
        {
            if (me is not null && model.Find(name) is { } request && IsMine(request, me))
            {
                _heldByMe.Add(name);
            }
            else
            {
                _heldByMe.Remove(name);
            }
        }
    }

    private static bool IsMine(HelpRequest request, string me) => request.Assignee == me && request.State != RequestState.Closed;
}
