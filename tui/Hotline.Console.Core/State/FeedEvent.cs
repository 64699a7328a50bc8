using Hotline.Contract.V1;

namespace Hotline.Console.State;

/// <summary>
/// What the watch loop hands to the model, in the order it happened. Messages and connection
/// changes travel in one queue so the model never sees a status older than the data it holds.
/// </summary>
public abstract record FeedEvent;

/// <summary>One message from WatchRequests, exactly as received.</summary>
public sealed record FeedMessage(WatchRequestsResponse Message) : FeedEvent;

/// <summary>
/// A new stream was opened from <paramref name="StartRevision"/> (0 = fresh snapshot). Snapshot
/// pages of a stream that broke before its snapshot_end must be discarded.
/// </summary>
public sealed record StreamOpened(long StartRevision) : FeedEvent;

/// <summary>The connection to the server changed.</summary>
public sealed record ConnectionChanged(ConnectionStatus Status) : FeedEvent;

/// <summary>Who is signed in and who can be assigned work, read on every (re)connect.</summary>
public sealed record IdentityKnown(Operator Me, IReadOnlyList<Operator> Operators) : FeedEvent;
