namespace Hotline.Console.State;

/// <summary>
/// Hands events from the watch loop's thread to the UI thread in batches. The first event after
/// a drain calls <c>wake</c> (which schedules one drain on the UI thread, e.g. through
/// <c>app.Invoke</c>); events that arrive before that drain runs ride along with it, so a burst
/// of a thousand changes costs one model update and one redraw, not a thousand.
/// </summary>
public sealed class FeedInbox(Action wake)
{
    private readonly Lock _gate = new();
    private List<FeedEvent> _pending = [];
    private bool _wakeScheduled;

    /// <summary>Thread-safe; called by the watch loop.</summary>
    public void Post(FeedEvent item)
    {
        bool schedule;
        lock (_gate)
        {
            _pending.Add(item);
            schedule = !_wakeScheduled;
            _wakeScheduled = true;
        }
        if (schedule)
        {
            wake();
        }
    }

    /// <summary>Takes everything queued so far; called on the UI thread.</summary>
    public IReadOnlyList<FeedEvent> Drain()
    {
        lock (_gate)
        {
            var batch = _pending;
            _pending = [];
            _wakeScheduled = false;
            return batch;
        }
    }
}
