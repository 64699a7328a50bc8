namespace Hotline.Storage;

/// <summary>
/// Bounds how many reads run at once (LiteDB allows 100 open transactions in all), and lets
/// shutdown wait for the reads in flight before the database is closed under them.
/// </summary>
internal sealed class ReadGate(int capacity)
{
    private readonly SemaphoreSlim _slots = new(capacity, capacity);
    private volatile bool _closed;

    public async ValueTask<Lease> EnterAsync(CancellationToken cancellationToken)
    {
        if (_closed)
        {
            throw StoreUnavailable.ShuttingDown();
        }
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_closed)
        {
            _slots.Release();
            throw StoreUnavailable.ShuttingDown();
        }
        return new Lease(_slots);
    }

    /// <summary>Refuses new reads and returns once every read in flight has finished.</summary>
    public void Close()
    {
        _closed = true;
        // Holding every slot at once proves no read is inside; readers still waiting then see the gate closed.
        for (var i = 0; i < capacity; i++)
        {
            _slots.Wait();
        }
        _slots.Release(capacity);
    }

    public readonly struct Lease(SemaphoreSlim slots) : IDisposable
    {
        public void Dispose() => slots.Release();
    }
}
