namespace Hotline.Server.Flood;

/// <summary>
/// A token bucket over <see cref="TimeProvider"/> timestamps: holds up to a capacity of tokens,
/// refilled continuously at a rate per second. Not thread-safe: <see cref="IntakeRateLimiter"/>
/// guards every bucket with its lock.
/// </summary>
internal sealed class TokenBucket(double perSecond, double capacity, long now)
{
    private readonly double _capacity = capacity;
    private double _tokens = capacity;
    private long _updated = now;

    /// <summary>Refusals since they were last logged.</summary>
    public long RefusedSinceReport { get; set; }

    /// <summary>When refusals were last logged; null before the first.</summary>
    public long? LastReport { get; set; }

    public bool IsFull => _tokens >= _capacity;

    public bool HasToken => _tokens >= 1;

    /// <summary>How long until a token is there, after <see cref="Refill"/>.</summary>
    public TimeSpan TimeToNextToken => HasToken ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - _tokens) / perSecond);

    public void Refill(long timestamp, TimeProvider time)
    {
        if (timestamp > _updated)
        {
            _tokens = Math.Min(_capacity, _tokens + (time.GetElapsedTime(_updated, timestamp).TotalSeconds * perSecond));
            _updated = timestamp;
        }
    }

    public void Take() => _tokens -= 1;
}
