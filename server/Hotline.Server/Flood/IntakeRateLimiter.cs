using Microsoft.Extensions.Options;

namespace Hotline.Server.Flood;

/// <summary>Which limit refused a submission.</summary>
public enum IntakeLimit
{
    None,
    Caller,
    Global,
}

/// <summary>The answer to one submission: admitted, or refused by a limit with a delay after which a retry may pass.</summary>
public readonly record struct IntakeAdmission(IntakeLimit RefusedBy, TimeSpan RetryAfter, long RefusalsToReport, TimeSpan ReportPeriod)
{
    public bool Admitted => RefusedBy == IntakeLimit.None;
}

/// <summary>Decides whether a submission may go on now: this server's buckets, or buckets shared with other servers.</summary>
public interface IIntakeLimiter
{
    /// <summary>Takes a token for one submission by <paramref name="callerId"/>, or says which limit refuses it and for how long.</summary>
    ValueTask<IntakeAdmission> AdmitAsync(string callerId, CancellationToken cancellationToken);
}

/// <summary>
/// Token buckets for intake: one per caller and one for everyone. A submission takes a token from
/// both or from neither, so a caller refused by its own limit cannot drain the global budget that
/// other integrations need, and a caller refused by the global limit keeps its own tokens.
/// <para>
/// Hand-rolled rather than System.Threading.RateLimiting: its chained partitioned limiter takes
/// the caller's token before asking the global one and does not give it back, it cannot take a
/// <see cref="TimeProvider"/> (tests would sleep), and its partitioned token buckets refill in
/// whole tokens on a 100 ms timer. One lock is plenty: intake is admitted at tens per second, and
/// a refusal costs a dictionary lookup.
/// </para>
/// Thread-safe.
/// </summary>
public sealed class IntakeRateLimiter : IIntakeLimiter
{
    /// <summary>How often refusals are logged per bucket: a flood must not become a flood of log lines.</summary>
    public static readonly TimeSpan ReportPeriod = TimeSpan.FromSeconds(10);

    /// <summary>Retries after a global refusal are spread over this much on top of the earliest moment, so refused callers do not return together.</summary>
    public static readonly TimeSpan GlobalRetrySpread = TimeSpan.FromSeconds(1);

    private const int PruneAbove = 1_024;
    private static readonly TimeSpan PruneInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, TokenBucket> _callers = new(StringComparer.Ordinal);
    private readonly TokenBucket _global;
    private readonly IntakeOptions _limits;
    private readonly TimeProvider _time;
    private long _lastPrune;

    public IntakeRateLimiter(IOptions<IntakeOptions> options, TimeProvider time)
    {
        _limits = options.Value;
        _time = time;
        _lastPrune = time.GetTimestamp();
        _global = new TokenBucket(_limits.GlobalPerSecond, _limits.GlobalBurst, _lastPrune);
    }

    /// <summary>How many callers have a bucket right now.</summary>
    internal int TrackedCallers
    {
        get
        {
            lock (_gate)
            {
                return _callers.Count;
            }
        }
    }

    public ValueTask<IntakeAdmission> AdmitAsync(string callerId, CancellationToken cancellationToken) => ValueTask.FromResult(TryAdmit(callerId));

    /// <summary>Takes a token for one submission by <paramref name="callerId"/>, or says which limit refuses it and for how long.</summary>
    public IntakeAdmission TryAdmit(string callerId)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (!_callers.TryGetValue(callerId, out var caller))
            {
                PruneFullBuckets(now);
                caller = new TokenBucket(_limits.PerCallerPerSecond, _limits.Burst, now);
                _callers.Add(callerId, caller);
            }
            caller.Refill(now, _time);
            _global.Refill(now, _time);
            if (caller.HasToken && _global.HasToken)
            {
                caller.Take();
                _global.Take();
                return default;
            }
            var refusedBy = caller.HasToken ? IntakeLimit.Global : IntakeLimit.Caller;
            var bucket = refusedBy == IntakeLimit.Caller ? caller : _global;
            var retryAfter = Max(caller.TimeToNextToken, _global.TimeToNextToken);
            if (refusedBy == IntakeLimit.Global)
            {
                retryAfter += GlobalRetrySpread * Random.Shared.NextDouble();
            }
            return new IntakeAdmission(refusedBy, retryAfter, CountRefusal(bucket, now), ReportPeriod);
        }
    }

    /// <summary>Counts a refusal; returns how many to log now (the first at once, then at most one sum per period), or 0.</summary>
    private long CountRefusal(TokenBucket bucket, long now)
    {
        bucket.RefusedSinceReport++;
        if (bucket.LastReport is { } last && _time.GetElapsedTime(last, now) < ReportPeriod)
        {
            return 0;
        }
        var refused = bucket.RefusedSinceReport;
        bucket.RefusedSinceReport = 0;
        bucket.LastReport = now;
        return refused;
    }

    /// <summary>A full bucket is the same as a new one, so forgetting it changes nothing but the memory it holds. At most once a second, so many callers cannot make every admission a scan.</summary>
    private void PruneFullBuckets(long now)
    {
        if (_callers.Count < PruneAbove || _time.GetElapsedTime(_lastPrune, now) < PruneInterval)
        {
            return;
        }
        _lastPrune = now;
        foreach (var (id, bucket) in _callers)
        {
            bucket.Refill(now, _time);
            if (bucket.IsFull && bucket.RefusedSinceReport == 0)
            {
                _callers.Remove(id);
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
