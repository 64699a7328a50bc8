namespace Hotline.Storage;

/// <summary>Records a lockdown or an unlock, with its audit record, so a restarted server comes up in the same state.</summary>
internal sealed class LockStateWrite : PendingMutation<bool>
{
    private readonly bool _locked;
    private readonly string _actor;

    public LockStateWrite(bool locked, string actor)
    {
        _locked = locked;
        _actor = actor;
    }

    public override void Stage(WriteBatch batch)
    {
        batch.SetLocked(_locked, _actor);
        Accept(true, wrote: true);
    }
}
