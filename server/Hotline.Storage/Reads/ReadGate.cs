using System.Diagnostics;

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
    /// <returns>False when a read was still inside after <paramref name="timeout"/>.</returns>
    public bool Close(TimeSpan timeout)
    {
        _closed = true;
        // Holding every slot at once proves no read is inside; readers still waiting then see the gate closed.
        var started = Stopwatch.GetTimestamp();
        var held = 0;
        try
        {
            for (; held < capacity; held++)
            {
                // Never less than zero: with the time used up, a slot that is free is still taken.
                var left = timeout - Stopwatch.GetElapsedTime(started);
                if (!_slots.Wait(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                {
                    return false;
                }
            }
            return true;
        }
        finally
        {
            if (held > 0)
            {
                _slots.Release(held);
            }
        }
    }

    public readonly struct Lease(SemaphoreSlim slots) : IDisposable
    {
        public void Dispose() => slots.Release();
    }
}
