namespace Hotline.Console.Remote;

/// <summary>
/// Exponential backoff with jitter, so a server restart is not met by every console at the same
/// instant, capped so a console is never more than <c>max</c> away from retrying: the jitter only
/// ever shortens a wait, so it cannot push one past the cap.
/// </summary>
/// <remarks>Thread-safe with the default <see cref="Random"/>; a given one is used from one thread only if it is not.</remarks>
public sealed class ReconnectBackoff(TimeSpan initial, TimeSpan max, double jitter = 0.2, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    /// <summary>
    /// 1, 2, 4, then 5 s at most. The cap is how long consoles may go on showing an old queue after
    /// the server is back: with 30 s, a 10 s outage kept them away another 12-14 s. A retry costs
    /// the server one WhoAmI, and consoles whose token is refused no longer retry at all.
    /// </summary>
    public static ReconnectBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));

    /// <summary>The wait before retry number <paramref name="attempt"/> (0-based), between (1 - jitter) and 1 times the doubled wait.</summary>
    public TimeSpan Delay(int attempt)
    {
        var exponent = Math.Clamp(attempt, 0, 16);
        var ticks = Math.Min(initial.Ticks * (1L << exponent), max.Ticks);
        var shorter = _random.NextDouble() * jitter;
        return TimeSpan.FromTicks((long)(ticks * (1 - shorter)));
    }
}
