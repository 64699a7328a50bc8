namespace Hotline.Server.Live;

/// <summary>
/// Gives the memory of ended watch streams back to the operating system. The garbage collector
/// frees a stream's objects soon after it ends, but keeps the heap it grew to for reuse, so a burst
/// of streams (a reconnect storm, or an attack of streams that never read) would leave the server
/// at its peak size for good. After a burst of <see cref="StreamsPerReturn"/> or more ended
/// streams has been quiet for <see cref="Quiet"/>, one aggressive, compacting collection returns
/// the free heap; a steady trickle of ends triggers it at most once per <see cref="Longest"/>.
/// One console closing now and then never does: a full compacting collection pauses the process.
/// </summary>
public sealed class StreamMemoryReturn : IDisposable
{
    /// <summary>Ended streams that make a collection worth its pause.</summary>
    public const int StreamsPerReturn = 8;

    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private readonly TimeProvider _time;
    private int _ended;
    private long _pendingSince;
    private long _returns;

    public StreamMemoryReturn(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(_ => Return(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Collections run so far.</summary>
    public long Returns => Interlocked.Read(ref _returns);

    public void StreamEnded()
    {
        lock (_lock)
        {
            if (++_ended == 1)
            {
                _pendingSince = _time.GetTimestamp();
            }
            if (_ended >= StreamsPerReturn && _time.GetElapsedTime(_pendingSince) < Longest)
            {
                // Each further end postpones the collection until the burst is over.
                _timer.Change(Quiet, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Return()
    {
        lock (_lock)
        {
            _ended = 0;
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref _returns);
    }
}
