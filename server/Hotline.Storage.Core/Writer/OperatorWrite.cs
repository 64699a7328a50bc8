using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>
/// A change to an operator account, decided against the stored account on the writer and
/// committed (and checkpointed) with whatever else is in the batch: a revocation that is
/// reported done must survive a power cut as surely as an acknowledged request. Its audit record
/// goes into the same transaction (or, during a lockdown, waits for the unlock: see
/// <see cref="WriteBatch.AuditAccount"/>). A change that changes nothing is not recorded.
/// </summary>
internal sealed class OperatorWrite : PendingMutation<OperatorRecord>
{
    private readonly OperatorCommand _command;

    public OperatorWrite(OperatorCommand command, CancellationToken cancellationToken)
    {
        _command = command;
        WatchCancellation(cancellationToken);
    }

    public override bool NeedsKeys => false;

    public override void Stage(WriteBatch batch)
    {
        OperatorRecord? current;
        OperatorRecord decided;
        try
        {
            current = batch.FindOperator(_command.OperatorId);
            decided = _command.Apply(current, batch.Now);
        }
        catch (Exception ex)
        {
            Refuse(ex);
            return;
        }
        if (ReferenceEquals(decided, current))
        {
            Accept(decided, wrote: false);
            return;
        }
        batch.WriteOperator(decided);
        batch.AuditAccount(_command.Actor, _command.Audited, decided.Id);
        Accept(decided, wrote: true);
    }
}
