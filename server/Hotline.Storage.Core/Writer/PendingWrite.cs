namespace Hotline.Storage;

/// <summary>
/// A mutation waiting for the writer. Its caller may give up (cancel) only while it waits in the
/// queue; once the writer has taken it, it runs to the end, so no caller ever sees half a change.
/// </summary>
internal abstract class PendingWrite
{
    private const int Waiting = 0;
    private const int Taken = 1;
    private const int Abandoned = 2;

    private int _state;
    private CancellationTokenRegistration _cancellation;
    private CancellationToken _cancellationToken;

    protected void WatchCancellation(CancellationToken cancellationToken)
    {
        _cancellationToken = cancellationToken;
        _cancellation = cancellationToken.UnsafeRegister(static state => ((PendingWrite)state!).Abandon(), this);
    }

    /// <summary>Claims the write for the writer; false when its caller already gave up.</summary>
    public bool TryTake()
    {
        if (Interlocked.CompareExchange(ref _state, Taken, Waiting) != Waiting)
        {
            return false;
        }
        _cancellation.Dispose();
        return true;
    }

    /// <summary>Takes back a write the writer refused to queue, so its cancellation hook does not outlive it.</summary>
    public void Withdraw() => TryTake();

    /// <summary>Tells the caller the writer could not run it (store failure, shutdown); nothing of it was written.</summary>
    public abstract void Fail(Exception exception);

    protected abstract void Cancel(CancellationToken cancellationToken);

    private void Abandon()
    {
        if (Interlocked.CompareExchange(ref _state, Abandoned, Waiting) == Waiting)
        {
            Cancel(_cancellationToken);
        }
    }
}

/// <summary>A write whose caller awaits a <typeparamref name="TResult"/>.</summary>
internal abstract class PendingWrite<TResult> : PendingWrite
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Task => _completion.Task;

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    protected void Succeed(TResult result) => _completion.TrySetResult(result);

    protected override void Cancel(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}
