using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>An operator's command, decided by the domain against the row as it is inside the writer's transaction.</summary>
internal sealed class CommandWrite : PendingMutation<HelpRequest>
{
    private readonly string _requestId;
    private readonly RequestCommand _command;

    public CommandWrite(string requestId, RequestCommand command, CancellationToken cancellationToken)
    {
        _requestId = requestId;
        _command = command;
        WatchCancellation(cancellationToken);
    }

    public override void Stage(WriteBatch batch)
    {
        MutationOutcome outcome;
        try
        {
            var current = batch.Find(_requestId);
            if (current is null)
            {
                DomainException.ThrowRequestNotFound(_requestId);
            }
            outcome = _command.Apply(current, batch.Now);
        }
        catch (Exception ex)
        {
            // Nothing has been written for this command yet, so refusing it leaves the transaction whole.
            Refuse(ex);
            return;
        }
        if (!outcome.Changed)
        {
            Accept(outcome.Request, wrote: false);
            return;
        }
        Accept(batch.Record(outcome.Kind, outcome.Request, _command.Caller.Id), wrote: true);
    }
}
