using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>
/// The audit record of a read of sensitive fields, written through the writer like any change so
/// the chain has one author and one order. The read is served only once this is on disk.
/// </summary>
internal sealed class AuditedReadWrite : PendingMutation<bool>
{
    private readonly string _reader;
    private readonly AuditAction _action;
    private readonly IReadOnlyList<string> _requestIds;

    public AuditedReadWrite(string reader, AuditAction action, IReadOnlyList<string> requestIds, CancellationToken cancellationToken)
    {
        _reader = reader;
        _action = action;
        _requestIds = requestIds;
        WatchCancellation(cancellationToken);
    }

    public override bool IsRead => true;

    public override void Stage(WriteBatch batch)
    {
        batch.Audit(_reader, _action, _requestIds);
        Accept(true, wrote: true);
    }
}
