using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>A submission: a new request, or the first receipt again when its intake key was seen before.</summary>
internal sealed class SubmitWrite : PendingMutation<IntakeReceipt>
{
    private readonly NewHelpRequest _submission;

    public SubmitWrite(NewHelpRequest submission, CancellationToken cancellationToken)
    {
        _submission = submission;
        WatchCancellation(cancellationToken);
    }

    public override void Stage(WriteBatch batch)
    {
        IntakeReceipt? earlier;
        string intakeKey;
        try
        {
            earlier = batch.FindReceipt(_submission.SubmittedBy, _submission.IntakeRequestId, out intakeKey);
        }
        catch (Exception ex)
        {
            Refuse(ex);
            return;
        }
        if (earlier is not null)
        {
            Accept(earlier, wrote: false);
            return;
        }
        var id = batch.NewRequestId();
        batch.CreateDataKey(id);
        var request = _submission.ToNewRequest(id, batch.TakeNumber(), batch.Now);
        var stored = batch.Record(ChangeKind.Created, request, _submission.SubmittedBy);
        var receipt = new IntakeReceipt(stored.Id, stored.Number, stored.CreateTime, Duplicate: false);
        batch.RememberReceipt(intakeKey, receipt);
        Accept(receipt, wrote: true);
    }
}
