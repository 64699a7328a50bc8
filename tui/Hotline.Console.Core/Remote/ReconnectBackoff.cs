namespace Hotline.Console.Remote;

/// <summary>
/// Exponential backoff with jitter, so a server restart is not met by every console at the same
/// instant, capped so a console on a flaky link is never more than <c>max</c> away from retrying.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan initial, TimeSpan max, double jitter = 0.2, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    public static ReconnectBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>The wait before retry number <paramref name="attempt"/> (0-based).</summary>
    public TimeSpan Delay(int attempt)
    {
        var exponent = Math.Min(attempt, 16);
        var ticks = Math.Min(initial.Ticks * (1L << exponent), max.Ticks);
        var spread = ((_random.NextDouble() * 2) - 1) * jitter;
        return TimeSpan.FromTicks((long)(ticks * (1 + spread)));
    }
}
