namespace Hotline.Domain;

/// <summary>
/// When one request's content could have reached a watch stream, worked out from the request's own
/// audit records alone; a store then looks up, by revision and time, the few stream records that
/// fit (see <see cref="IAuditTrail.ListAuditAsync"/>). A stream received the request when
/// <list type="bullet">
/// <item>it opened with a snapshot at a revision R at which the request was open, or closed at or
/// after the snapshot's <see cref="WatchMark.SnapshotClosedSince"/> (<see cref="InSnapshot"/>), or</item>
/// <item>it was sent a change of the request: a revision r above its <see cref="WatchMark.FromRevision"/>
/// that it had not ended before (<see cref="CouldHaveSent"/>).</item>
/// </list>
/// Conservative where the records leave a doubt ("could have", never "missed"): a stream whose end
/// was never recorded is taken to have sent what its last lease allowed, and changes recorded
/// before audit records carried revisions are taken to lie anywhere at or below the revision the
/// store had then.
/// </summary>
public sealed class StreamExposure
{
    private readonly List<long> _changeRevisions = [];
    private readonly List<RevisionSpan> _openSpans = [];
    private readonly List<ClosedSpan> _closedSpans = [];

    private StreamExposure()
    {
    }

    /// <summary>The revisions of the request's changes, ascending; each change carried the whole request.</summary>
    public IReadOnlyList<long> ChangeRevisions => _changeRevisions;

    /// <summary>
    /// Set when some changes were recorded without a revision: they all lie at or below this one
    /// (the store's revision when it began stamping records with them).
    /// </summary>
    public long? UnrevisionedChangesThrough { get; private set; }

    /// <summary>Revision spans in which the request was open: every snapshot read in one held it.</summary>
    public IReadOnlyList<RevisionSpan> OpenSpans => _openSpans;

    /// <summary>Revision spans in which the request was closed, with when: a snapshot read in one held it if its window reached back that far.</summary>
    public IReadOnlyList<ClosedSpan> ClosedSpans => _closedSpans;

    /// <summary>The sequence number of the request's PURGED record: no snapshot opened after it held the request.</summary>
    public long? PurgedAtSequence { get; private set; }

    /// <param name="ownRecords">Every record naming the request, in any order.</param>
    /// <param name="unrevisionedThrough">The store's revision when its records began carrying revisions; records without one are at or below it.</param>
    public static StreamExposure Of(IEnumerable<AuditRecord> ownRecords, long unrevisionedThrough)
    {
        ArgumentNullException.ThrowIfNull(ownRecords);
        var exposure = new StreamExposure();
        // A span ended by a record without a revision ends, at the latest, just above the store's revision then.
        var unrevisionedEnd = unrevisionedThrough + 1;
        long? openFrom = null;
        (long From, DateTimeOffset Time)? closed = null;
        foreach (var record in ownRecords.OrderBy(r => r.Sequence))
        {
            var revision = record.Revision;
            switch (record.Action)
            {
                case AuditAction.Submitted:
                    exposure.AddChange(revision, unrevisionedThrough);
                    openFrom = revision ?? long.MinValue;
                    closed = null;
                    break;
                case AuditAction.Assigned or AuditAction.Released or AuditAction.NoteAdded or AuditAction.Updated:
                    exposure.AddChange(revision, unrevisionedThrough);
                    break;
                case AuditAction.Closed:
                    exposure.AddChange(revision, unrevisionedThrough);
                    if (openFrom is { } from)
                    {
                        exposure._openSpans.Add(new RevisionSpan(from, revision ?? unrevisionedEnd));
                    }
                    openFrom = null;
                    closed = (revision ?? long.MinValue, record.Time);
                    break;
                case AuditAction.Reopened:
                    exposure.AddChange(revision, unrevisionedThrough);
                    if (closed is { } before)
                    {
                        exposure._closedSpans.Add(new ClosedSpan(before.From, revision ?? unrevisionedEnd, before.Time));
                    }
                    closed = null;
                    openFrom = revision ?? long.MinValue;
                    break;
                case AuditAction.Purged:
                    // Its revision is the store's when the key was destroyed: a snapshot read at a later
                    // revision read its pages later still, found no key and left the request out.
                    var end = revision is { } at ? at + 1 : unrevisionedEnd;
                    if (openFrom is { } openSince)
                    {
                        exposure._openSpans.Add(new RevisionSpan(openSince, end));
                    }
                    if (closed is { } closedSince)
                    {
                        exposure._closedSpans.Add(new ClosedSpan(closedSince.From, end, closedSince.Time));
                    }
                    openFrom = null;
                    closed = null;
                    exposure.PurgedAtSequence = record.Sequence;
                    break;
            }
        }
        if (openFrom is { } stillOpen)
        {
            exposure._openSpans.Add(new RevisionSpan(stillOpen, long.MaxValue));
        }
        if (closed is { } stillClosed)
        {
            exposure._closedSpans.Add(new ClosedSpan(stillClosed.From, long.MaxValue, stillClosed.Time));
        }
        exposure._changeRevisions.Sort();
        return exposure;
    }

    /// <summary>
    /// The ranges of <see cref="WatchMark.Through"/> in which a stream that was sent one of the
    /// request's changes must have a record: a change at r is sent only under a lease taken at or
    /// above r - <see cref="WatchAudit.RevisionsPerRecord"/>, and below r. Overlapping ranges are
    /// merged; changes without a revision add the range below <see cref="UnrevisionedChangesThrough"/>.
    /// </summary>
    public IReadOnlyList<RevisionSpan> MarkRangesForChanges()
    {
        var ranges = new List<RevisionSpan>();
        if (UnrevisionedChangesThrough is { } through)
        {
            ranges.Add(new RevisionSpan(long.MinValue, through));
        }
        foreach (var revision in _changeRevisions)
        {
            var range = new RevisionSpan(revision - WatchAudit.RevisionsPerRecord, revision);
            if (ranges.Count > 0 && ranges[^1].Until >= range.From)
            {
                ranges[^1] = ranges[^1] with { Until = Math.Max(ranges[^1].Until, range.Until) };
            }
            else
            {
                ranges.Add(range);
            }
        }
        return ranges;
    }

    /// <summary>
    /// Whether a stream could have been sent one of the request's changes, given the stream's
    /// records whose <see cref="WatchMark.Through"/> lies in one of <see cref="MarkRangesForChanges"/>.
    /// For each change at r, the stream's newest record below r decides: if it is not its end, the
    /// stream was still running and its lease covered r (it had to record again before going further).
    /// </summary>
    public bool CouldHaveSent(IReadOnlyCollection<(long Sequence, WatchMark Mark)> streamRecords)
    {
        ArgumentNullException.ThrowIfNull(streamRecords);
        if (UnrevisionedChangesThrough is { } through && streamRecords.Any(r => r.Mark.Through < through))
        {
            return true;
        }
        foreach (var revision in _changeRevisions)
        {
            (long Sequence, WatchMark? Mark) newest = (long.MinValue, null);
            foreach (var record in streamRecords)
            {
                if (record.Mark.Through >= revision - WatchAudit.RevisionsPerRecord && record.Mark.Through < revision
                    && record.Sequence > newest.Sequence)
                {
                    newest = record;
                }
            }
            if (newest.Mark is { Ended: false })
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether the snapshot a stream opened with held the request: the request existed and was open
    /// at <paramref name="revision"/>, or was closed then but at or after <paramref name="closedSince"/>,
    /// and had not been purged before the stream's WATCHED record (<paramref name="streamSequence"/>).
    /// </summary>
    public bool InSnapshot(long streamSequence, long revision, DateTimeOffset closedSince)
    {
        if (PurgedAtSequence is { } purged && streamSequence > purged)
        {
            return false;
        }
        return _openSpans.Any(s => s.Contains(revision))
            || _closedSpans.Any(s => s.Contains(revision) && s.CloseTime >= closedSince);
    }

    private void AddChange(long? revision, long unrevisionedThrough)
    {
        if (revision is { } known)
        {
            _changeRevisions.Add(known);
        }
        else
        {
            UnrevisionedChangesThrough = unrevisionedThrough;
        }
    }
}

/// <summary>Revisions from <see cref="From"/> up to, not including, <see cref="Until"/>.</summary>
public readonly record struct RevisionSpan(long From, long Until)
{
    public bool Contains(long revision) => revision >= From && revision < Until;
}

/// <summary>Revisions in which a request was closed, and when it was closed.</summary>
public readonly record struct ClosedSpan(long From, long Until, DateTimeOffset CloseTime)
{
    public bool Contains(long revision) => revision >= From && revision < Until;
}
