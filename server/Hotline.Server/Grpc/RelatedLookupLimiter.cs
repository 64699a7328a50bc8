using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Hotline.Domain;
using Hotline.Server.Flood;

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
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.ResourceExhausted,
            Message = "Too many related-request lookups from this caller; retry after the RetryInfo delay.",
            Details =
            {
                Any.Pack(new ErrorInfo { Reason = ErrorReasons.RateLimited, Domain = ErrorTranslation.ErrorDomain, Metadata = { ["limit"] = "related" } }),
                Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }),
            },
        };
        var exception = status.ToRpcException();
        exception.Trailers.Add("grpc-retry-pushback-ms", ((long)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        throw exception;
    }
}
