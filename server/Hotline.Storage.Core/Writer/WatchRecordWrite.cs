using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>
/// A watch stream's record (opened, progressed, ended), written through the writer like the audit
/// record of any read, so it is on disk before the stream sends what it covers. Completes with the
/// stream's lease from this record on.
/// </summary>
internal sealed class WatchRecordWrite : PendingMutation<WatchLease>
{
    private readonly string _viewer;
    private readonly AuditAction _action;
    private readonly WatchMark _mark;
    private readonly TimeSpan? _window;

    /// <param name="window">For a snapshot's opening record: the width of its closed window.</param>
    public WatchRecordWrite(string viewer, AuditAction action, WatchMark mark, TimeSpan? window, CancellationToken cancellationToken)
    {
        _viewer = viewer;
        _action = action;
        _mark = mark;
        _window = window;
        WatchCancellation(cancellationToken);
    }

    public override bool IsRead => true;

    public override void Stage(WriteBatch batch)
    {
        var mark = batch.AuditWatch(_viewer, _action, _mark, _window);
        var until = mark.Ended ? mark.Through : checked(mark.Through + WatchAudit.RevisionsPerRecord);
        Accept(new WatchLease(mark.Stream, _viewer, mark.FromRevision, until), wrote: true);
    }
}
