using Grpc.Core;
using Hotline.Domain;
using Hotline.Server.Flood;
using Hotline.Server.Mapping;

namespace Hotline.Server.Grpc;

/// <summary>
/// How often one caller may ask for a requester's other requests (ListRelatedRequests): enough for
/// an operator working through the queue, far too little to walk the history of many requesters.
/// Each lookup is also audited, naming every request it returned.
/// </summary>
public sealed class RelatedLookupLimiter(TimeProvider time)
{
    /// <summary>Sustained lookups per minute per caller.</summary>
    public const double PerMinute = 30;

    /// <summary>Lookups a caller may make at once before <see cref="PerMinute"/> applies.</summary>
    public const int Burst = 10;

    private readonly Dictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Takes a lookup for <paramref name="callerId"/>, or throws RESOURCE_EXHAUSTED RATE_LIMITED with RetryInfo.</summary>
    public void Take(string callerId)
    {
        TimeSpan wait;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (!_buckets.TryGetValue(callerId, out var bucket))
            {
                bucket = new TokenBucket(PerMinute / 60, Burst, now);
                _buckets[callerId] = bucket;
            }
            bucket.Refill(now, time);
            if (bucket.HasToken)
            {
                bucket.Take();
                return;
            }
            wait = bucket.TimeToNextToken;
        }
        var delay = TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)) + IntakeRateLimitInterceptor.RetryMargin;
        throw ErrorTranslation.RateLimited("Too many related-request lookups from this caller; retry after the RetryInfo delay.",
            delay, "related", pushback: true);
    }
}
