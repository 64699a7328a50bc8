namespace Hotline.Domain;

/// <summary>
/// Where requests live. Shaped by the domain so another engine (PostgreSQL for deployments that
/// outgrow one machine) can stand behind it. Every method that returns has made its change
/// durable: a write is acknowledged only after it is on disk.
/// </summary>
public interface IRequestStore
{
    /// <summary>The revision of the last change this store has made durable.</summary>
    long CommittedRevision { get; }

    /// <summary>Stores a validated submission, or returns the receipt of an earlier one with the same key.</summary>
    Task<IntakeReceipt> SubmitAsync(NewHelpRequest submission, CancellationToken cancellationToken);

    /// <summary>
    /// Decides <paramref name="command"/> against the current request on the store's single writer
    /// and stores the outcome. Throws <see cref="DomainException"/> (NOT_FOUND, FAILED_PRECONDITION,
    /// ABORTED, ...) with nothing changed.
    /// </summary>
    Task<HelpRequest> ExecuteAsync(string requestId, RequestCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// Reads one request for <paramref name="reader"/>, after appending an audit record of the read.
    /// Throws FAILED_PRECONDITION LOCKED_DOWN while the key vault is locked.
    /// </summary>
    Task<HelpRequest?> GetAsync(string requestId, string reader, CancellationToken cancellationToken);

    /// <summary>A page of requests for <paramref name="reader"/>, audited as one read naming every request on the page.</summary>
    Task<RequestPage> ListAsync(RequestQuery query, string reader, CancellationToken cancellationToken);

    /// <summary>
    /// The other requests from the same requester as <paramref name="requestId"/> (see
    /// <see cref="HelpRequest.EarlierContacts"/>), newest first; audited like a list.
    /// Throws NOT_FOUND when the request does not exist.
    /// </summary>
    Task<RequestPage> ListRelatedAsync(string requestId, string reader, int offset, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the audit record of a watch session about to stream requests to <paramref name="reader"/>:
    /// one per session, not one per request streamed.
    /// </summary>
    Task RecordWatchAsync(string reader, CancellationToken cancellationToken);

    /// <summary>
    /// Destroys a request for good: its data key first (so every copy of its sealed fields, in the
    /// log, free pages or backups, becomes unreadable), then the request, its change-log entries and
    /// its intake key, leaving a DELETED change carrying only its id. False when it did not exist.
    /// </summary>
    Task<bool> PurgeAsync(string requestId, string actor, CancellationToken cancellationToken);

    /// <summary>Purges every request closed before <paramref name="closedBefore"/>; returns how many.</summary>
    Task<int> PurgeClosedBeforeAsync(DateTimeOffset closedBefore, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// What an admin may see of a request before purging it: the fields stored in the clear, nothing
    /// sealed, so it needs no key and is not audited as a read. Null when it does not exist.
    /// </summary>
    Task<RequestOutline?> OutlineAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>How many requests <see cref="PurgeClosedBeforeAsync"/> would purge now.</summary>
    Task<int> CountClosedBeforeAsync(DateTimeOffset closedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Every stored request, read in one consistent view, with the revision the view reflects:
    /// every change at or below it is included, none above.
    /// </summary>
    Task<StoreSnapshot> ReadSnapshotAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="max"/> changes with revision &gt;= <paramref name="fromRevision"/>, in order;
    /// <see cref="ChangeReplay.Compacted"/> when some of them are no longer kept.
    /// </summary>
    Task<ChangeReplay> ReadChangesAsync(long fromRevision, int max, CancellationToken cancellationToken);
}

/// <summary>A request as it can be described without opening it: no content, no contact handle.</summary>
public sealed record RequestOutline(string Id, long Number, RequestState State, DateTimeOffset CreateTime, DateTimeOffset? CloseTime);

/// <summary>Requests as of <paramref name="Revision"/>.</summary>
public sealed record StoreSnapshot(IReadOnlyList<HelpRequest> Requests, long Revision);

/// <summary>A run of the change log.</summary>
/// <param name="Compacted">True when changes at or after the asked revision were already dropped from the log.</param>
public sealed record ChangeReplay(IReadOnlyList<RequestChange> Changes, bool Compacted);

/// <summary>
/// Told of every change once it is durable, in revision order, from the store's writer thread.
/// Implementations must return quickly and never block.
/// </summary>
public interface IChangeListener
{
    void OnCommitted(IReadOnlyList<RequestChange> changes);
}

/// <summary>The people and integrations that may call the server.</summary>
public interface IOperatorDirectory
{
    OperatorAccount? Find(string operatorId);

    IReadOnlyList<OperatorAccount> All();
}
