using Hotline.Domain;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Flood;

/// <summary>
/// Intake limits shared by every server on one database: the same two buckets as
/// <see cref="IntakeRateLimiter"/> (the caller's and everyone's, a token from both or from neither),
/// kept in the database and decided there in one atomic call, so that N servers admit what one
/// would, not N times as much. When the database does not answer, this server falls back to its
/// own buckets with the same limits: a submission is never refused because the limiter could not be
/// asked (the store is most likely unreachable too, and says so), and a flood is still held to the
/// limits per server. Refusals are logged per server, at most once per <see cref="IntakeRateLimiter.ReportPeriod"/>
/// per bucket. Thread-safe.
/// </summary>
public sealed class SharedIntakeRateLimiter(
    ISharedRateLimits shared,
    IntakeRateLimiter local,
    IOptions<IntakeOptions> options,
    TimeProvider time,
    ILogger<SharedIntakeRateLimiter> logger) : IIntakeLimiter
{
    /// <summary>The scopes the buckets are kept under; the key within a scope is the caller's id (hashed by the store).</summary>
    public const string CallerScope = "intake-caller";

    public const string GlobalScope = "intake-global";

    private const int MaxReportedBuckets = 1_024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Refused, long? LastReport)> _reports = new(StringComparer.Ordinal);
    private long? _lastUnavailableReport;

    public async ValueTask<IntakeAdmission> AdmitAsync(string callerId, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        SharedTake take;
        try
        {
            take = await shared.TakeAsync(
            [
                new SharedBucket(CallerScope, callerId, limits.PerCallerPerSecond, limits.Burst),
                new SharedBucket(GlobalScope, "", limits.GlobalPerSecond, limits.GlobalBurst),
            ], cancellationToken);
        }
        catch (SharedLimitUnavailableException ex)
        {
            ReportUnavailable(ex);
            return local.TryAdmit(callerId);
        }
        if (take.Taken)
        {
            return default;
        }
        var refusedBy = take.RefusedBy == 0 ? IntakeLimit.Caller : IntakeLimit.Global;
        var retryAfter = take.RetryAfter;
        if (refusedBy == IntakeLimit.Global)
        {
            retryAfter += IntakeRateLimiter.GlobalRetrySpread * Random.Shared.NextDouble();
        }
        return new IntakeAdmission(refusedBy, retryAfter, CountRefusal(refusedBy == IntakeLimit.Caller ? "caller:" + callerId : "global"),
            IntakeRateLimiter.ReportPeriod);
    }

    /// <summary>Counts a refusal; returns how many to log now (the first at once, then at most one sum per period), or 0.</summary>
    private long CountRefusal(string bucket)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            if (!_reports.TryGetValue(bucket, out var report) && _reports.Count >= MaxReportedBuckets)
            {
                // Only the counts of refusals still to be logged are lost: each key at most one log line's worth.
                _reports.Clear();
            }
            report.Refused++;
            if (report.LastReport is { } last && time.GetElapsedTime(last, now) < IntakeRateLimiter.ReportPeriod)
            {
                _reports[bucket] = report;
                return 0;
            }
            _reports[bucket] = (0, now);
            return report.Refused;
        }
    }

    private void ReportUnavailable(SharedLimitUnavailableException ex)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            if (_lastUnavailableReport is { } last && time.GetElapsedTime(last, now) < IntakeRateLimiter.ReportPeriod)
            {
                return;
            }
            _lastUnavailableReport = now;
        }
        ServerLog.SharedLimitsUnavailable(logger, FailureDescription.TypeOf(ex.InnerException ?? ex), (int)IntakeRateLimiter.ReportPeriod.TotalSeconds);
    }
}
