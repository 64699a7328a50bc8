namespace Hotline.Storage;

/// <summary>
/// A write decided inside a group-commit transaction. Its outcome is held back until the
/// transaction is committed and checkpointed, because a refusal, too, was decided against rows
/// that only exist if the batch before it in the transaction is kept.
/// </summary>
internal abstract class PendingMutation<TResult> : PendingWrite<TResult>, IStagedWrite
{
    private TResult? _result;
    private Exception? _refusal;
    private bool _wrote;

    public abstract void Stage(WriteBatch batch);

    public virtual bool IsRead => false;

    public virtual bool NeedsKeys => true;

    public void Report(Exception? notDurable)
    {
        if (_refusal is not null)
        {
            Fail(_refusal);
        }
        else if (_wrote && notDurable is not null)
        {
            Fail(notDurable);
        }
        else
        {
            Succeed(_result!);
        }
    }

    protected void Accept(TResult result, bool wrote)
    {
        _result = result;
        _wrote = wrote;
    }

    protected void Refuse(Exception refusal) => _refusal = refusal;
}

/// <summary>What the writer needs of any write it puts in a batch.</summary>
internal interface IStagedWrite
{
    /// <summary>
    /// Decides and writes inside the batch transaction. A refusal is recorded, not thrown, and
    /// writes nothing; an exception that escapes means the transaction is damaged and the whole
    /// batch must roll back.
    /// </summary>
    void Stage(WriteBatch batch);

    /// <summary>True for the audit record of a read: refused while locked as a read (FAILED_PRECONDITION), not as a write.</summary>
    bool IsRead { get; }

    /// <summary>False for writes that touch no request and no audit record (operator accounts): they go ahead while locked down.</summary>
    bool NeedsKeys { get; }

    /// <summary>Completes the caller once the batch is committed; <paramref name="notDurable"/> when the checkpoint failed.</summary>
    void Report(Exception? notDurable);

    void Fail(Exception exception);
}
