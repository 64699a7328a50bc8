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

    /// <summary>
    /// The server refused this console's token or role (<see cref="ConnectionStatus.SignOut"/> says
    /// which). The console makes no further attempt: each would count as a failed sign-in against
    /// its address and could lock colleagues behind the same address out.
    /// </summary>
    SignedOut,
}

/// <summary>Why the server no longer lets this console in; each needs something different from an admin.</summary>
public enum SignOutReason
{
    /// <summary>UNAUTHENTICATED TOKEN_REVOKED on an open stream: the panic key, `operators rotate` or `operators disable`.</summary>
    TokenRevoked,

    /// <summary>UNAUTHENTICATED OPERATOR_DISABLED: the account is disabled; the token would work again once enabled.</summary>
    AccountDisabled,

    /// <summary>UNAUTHENTICATED for any other reason: an unknown, malformed or already revoked token.</summary>
    TokenRejected,

    /// <summary>PERMISSION_DENIED: the token is valid but its role may not watch the queue (an intake key).</summary>
    NotPermitted,
}

/// <summary>
/// The link as the status line shows it. <see cref="DownSince"/> is when the last good stream
/// ended (null while connected), so the console can say "offline since …" on a long outage.
/// </summary>
public sealed record ConnectionStatus(LinkState State, DateTimeOffset? DownSince = null, DateTimeOffset? RetryAt = null, string? Problem = null,
    SignOutReason? SignOut = null)
{
    public static ConnectionStatus Initial { get; } = new(LinkState.Connecting);

    public static ConnectionStatus Connected { get; } = new(LinkState.Connected);

    public static ConnectionStatus SignedOutFor(SignOutReason reason, DateTimeOffset? downSince) => new(LinkState.SignedOut, downSince, SignOut: reason);

    /// <summary>
    /// The server connected to, or tried next while retrying, as host and port; null when the
    /// console was given one address only (then there is nothing to choose between).
    /// </summary>
    public string? Server { get; init; }

    /// <summary>
    /// The server the console was on before it failed over to <see cref="Server"/>; null until it
    /// has connected to a server other than the one it was on before.
    /// </summary>
    public string? FailedOverFrom { get; init; }

    /// <summary>True when the screen may be behind the server.</summary>
    public bool IsStale => State != LinkState.Connected;
}
