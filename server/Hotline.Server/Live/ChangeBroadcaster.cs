using System.Threading.Channels;
using Hotline.Domain;
using Hotline.Server.Mapping;
using Microsoft.Extensions.Options;
using V1 = Hotline.Contract.V1;

namespace Hotline.Server.Live;

/// <summary>
/// Fans committed changes out to every watcher. Called by the store's writer in revision order;
/// never blocks it: each watcher has a bounded queue, and a watcher whose queue is full is cut
/// off (it resumes from its last revision) rather than slowing the writer or anyone else.
/// </summary>
public sealed class ChangeBroadcaster(IOptions<WatchOptions> options) : IChangeListener
{
    private readonly Lock _gate = new();
    private readonly List<WatchSubscription> _subscribers = [];
    private long _lastPublished;

    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Registers a watcher: it receives every change published after this call.</summary>
    public WatchSubscription Subscribe()
    {
        lock (_gate)
        {
            var subscription = new WatchSubscription(this, options.Value.SubscriberBuffer, _lastPublished);
            _subscribers.Add(subscription);
            return subscription;
        }
    }

    public void OnCommitted(IReadOnlyList<RequestChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }
        // Converted once and shared by every watcher: the writer pays per change, not per watcher.
        var messages = new LiveChange[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            messages[i] = new LiveChange(changes[i].Revision,
                new V1.WatchRequestsResponse { Change = ContractMapping.ToContract(changes[i]) })
            {
                SubmittedBy = changes[i].Request?.SubmittedBy,
            };
        }
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Offer(messages);
            }
            _lastPublished = messages[^1].Revision;
        }
    }

    internal void Remove(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }
    }
}

/// <summary>
/// A change ready to send, with its revision for de-duplication. <see cref="Message"/> carries the
/// full contact handle; watchers who may not see it send <see cref="MessageFor"/>'s masked copy,
/// made once per change by the first watcher that needs it, on that watcher's own loop, so the
/// store's writer never pays for it.
/// </summary>
public sealed record LiveChange(long Revision, V1.WatchRequestsResponse Message)
{
    private V1.WatchRequestsResponse? _masked;

    /// <summary>Who submitted the request, so its submitter is not told of repeat contacts (<see cref="ContactVisibility.SeesRepeatContacts"/>).</summary>
    public string? SubmittedBy { get; init; }

    public V1.WatchRequestsResponse MessageFor(OperatorAccount viewer)
    {
        var seen = MaskedFor(viewer);
        if (seen.Change?.Request is not { EarlierContactCount: not 0 } || !string.Equals(SubmittedBy, viewer.Id, StringComparison.Ordinal))
        {
            return seen;
        }
        // The submitter watching their own submission: rare, so made per watcher rather than kept.
        var own = seen.Clone();
        own.Change.Request.EarlierContactCount = 0;
        return own;
    }

    private V1.WatchRequestsResponse MaskedFor(OperatorAccount viewer)
    {
        var request = Message.Change?.Request;
        if (request is null || request.ContactHandle.Length == 0
            || ContactVisibility.SeesFullHandle(viewer, AssigneeId(request.Assignee)))
        {
            return Message;
        }
        if (Volatile.Read(ref _masked) is { } masked)
        {
            return masked;
        }
        var copy = Message.Clone();
        copy.Change.Request.ContactHandle = ContactVisibility.Mask(request.ContactHandle);
        // Two watchers racing here build equal copies; either may win.
        return Interlocked.CompareExchange(ref _masked, copy, null) ?? copy;
    }

    private static string? AssigneeId(string assignee) =>
        assignee.StartsWith(ContractMapping.OperatorPrefix, StringComparison.Ordinal) ? assignee[ContractMapping.OperatorPrefix.Length..] : null;
}

/// <summary>One watcher's bounded queue of live changes.</summary>
public sealed class WatchSubscription : IDisposable
{
    private readonly ChangeBroadcaster _owner;
    private readonly Channel<LiveChange> _queue;
    private bool _overflowed;

    internal WatchSubscription(ChangeBroadcaster owner, int capacity, long registeredAt)
    {
        _owner = owner;
        RegisteredAt = registeredAt;
        _queue = System.Threading.Channels.Channel.CreateBounded<LiveChange>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Every change above this revision will be queued here.</summary>
    public long RegisteredAt { get; }

    public ChannelReader<LiveChange> Reader => _queue.Reader;

    /// <summary>Set when the watcher fell behind: its queue is closed and takes nothing more.</summary>
    public bool IsOverflowed => Volatile.Read(ref _overflowed);

    public int Buffered => _queue.Reader.Count;

    internal void Offer(LiveChange[] changes)
    {
        if (IsOverflowed)
        {
            return;
        }
        foreach (var change in changes)
        {
            if (!_queue.Writer.TryWrite(change))
            {
                Volatile.Write(ref _overflowed, true);
                _queue.Writer.TryComplete();
                return;
            }
        }
    }

    public void Dispose()
    {
        _owner.Remove(this);
        _queue.Writer.TryComplete();
    }
}
