namespace Hotline.Console.State;

/// <summary>Where the link to the server stands.</summary>
public enum LinkState
{
    /// <summary>First attempt, nothing shown yet.</summary>
    Connecting,

    /// <summary>The watch stream is open; what is on screen is current.</summary>
    Connected,

    /// <summary>The stream broke; the next attempt is at <see cref="ConnectionStatus.RetryAt"/>.</summary>
    Retrying,
}

/// <summary>
/// The link as the status line shows it. <see cref="DownSince"/> is when the last good stream
/// ended (null while connected), so the console can say "offline since …" on a long outage.
/// </summary>
public sealed record ConnectionStatus(LinkState State, DateTimeOffset? DownSince = null, DateTimeOffset? RetryAt = null, string? Problem = null)
{
    public static ConnectionStatus Initial { get; } = new(LinkState.Connecting);

    public static ConnectionStatus Connected { get; } = new(LinkState.Connected);

    /// <summary>True when the screen may be behind the server.</summary>
    public bool IsStale => State != LinkState.Connected;
}
