using Google.Rpc;
using Grpc.Core;

namespace Hotline.JsonlIntake;

/// <summary>
/// Which failures are worth the same call again, and after how long: UNAVAILABLE and
/// DEADLINE_EXCEEDED (nothing, or possibly something, was stored: the same request_id makes a
/// retry safe either way), and RESOURCE_EXHAUSTED when the server rate-limits (reason
/// RATE_LIMITED), never when the message is too large. The server's RetryInfo, when it sends one,
/// decides the wait; otherwise exponential backoff from 0.2 s to 30 s, with jitter.
/// </summary>
internal static class RetryPolicy
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(30);

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1, or null when the failure is final.</summary>
    public static TimeSpan? DelayAfter(RpcException error, int attempt, Random jitter)
    {
        var status = error.GetRpcStatus();
        var reason = status?.GetDetail<ErrorInfo>()?.Reason ?? "";
        var retryable = error.StatusCode switch
        {
            StatusCode.Unavailable or StatusCode.DeadlineExceeded => true,
            StatusCode.ResourceExhausted => reason == "RATE_LIMITED",
            _ => false,
        };
        if (!retryable)
        {
            return null;
        }
        if (status?.GetDetail<RetryInfo>()?.RetryDelay is { } asked)
        {
            return asked.ToTimeSpan();
        }
        var backoff = FirstBackoff * Math.Pow(2, Math.Min(attempt - 1, 16));
        var capped = backoff < LongestBackoff ? backoff : LongestBackoff;
        return capped * (0.5 + jitter.NextDouble());
    }

    /// <summary>The reason from ErrorInfo, or the code's name.</summary>
    public static string ReasonOf(RpcException error) =>
        error.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason is { Length: > 0 } reason ? reason : error.StatusCode.ToString();
}
