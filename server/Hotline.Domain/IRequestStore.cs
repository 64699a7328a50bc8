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
    /// ABORTED, ...) with nothing changed. The command's input was checked by the caller
    /// (<see cref="RequestCommand.Validate"/>), as a submission's is: the store stores, it does not validate.
    /// </summary>
    Task<HelpRequest> ExecuteAsync(string requestId, RequestCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// Reads one request for <paramref name="reader"/>, after appending an audit record of the read.
    /// Throws FAILED_PRECONDITION LOCKED_DOWN while the key vault is locked.
    /// </summary>
    Task<HelpRequest?> GetAsync(string requestId, string reader, CancellationToken cancellationToken);

    /// <summary>
    /// A page of requests for <paramref name="reader"/>, audited as one read naming every request on the page.
    /// The page starts after <see cref="RequestQuery.After"/> (keyset paging): a request whose sort
    /// position did not change while a client paged is returned exactly once, whatever else was
    /// inserted, changed or removed meanwhile.
    /// </summary>
    Task<RequestPage> ListAsync(RequestQuery query, string reader, CancellationToken cancellationToken);

    /// <summary>
    /// The other requests from the same requester as <paramref name="requestId"/> (see
    /// <see cref="HelpRequest.EarlierContacts"/>), newest first, numbered below <paramref name="beforeNumber"/>
    /// when it is given (the <see cref="ListPosition.Number"/> of the previous page's <see cref="RequestPage.Next"/>);
    /// audited like a list. Throws NOT_FOUND when the request does not exist.
    /// </summary>
    Task<RequestPage> ListRelatedAsync(string requestId, string reader, long? beforeNumber, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the WATCHED record of a stream about to send <paramref name="reader"/> the pages of
    /// <paramref name="snapshot"/> and then the changes after its revision: the revision and the
    /// closed window say which requests it holds, without naming any. Call after the set is found
    /// and before its first page is read. Throws FAILED_PRECONDITION LOCKED_DOWN while locked.
    /// </summary>
    /// <returns>The lease under which the stream may send changes (see <see cref="WatchLease"/>).</returns>
    Task<WatchLease> RecordWatchStartAsync(string reader, IWorkingSetSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the WATCHED record of a stream about to send <paramref name="reader"/> every change
    /// above <paramref name="fromRevision"/>, replayed from the change log and then live.
    /// </summary>
    Task<WatchLease> RecordWatchStartAsync(string reader, long fromRevision, CancellationToken cancellationToken);

    /// <summary>
    /// Appends a WATCH_PROGRESSED record: the stream may have sent changes up to <paramref name="through"/>,
    /// and is about to send more. Returns the extended lease. One record per
    /// <see cref="WatchAudit.RevisionsPerRecord"/> revisions a stream follows, not one per request.
    /// </summary>
    Task<WatchLease> RecordWatchProgressAsync(WatchLease lease, long through, CancellationToken cancellationToken);

    /// <summary>Appends the WATCH_ENDED record of a stream that sent nothing above <paramref name="through"/>.</summary>
    Task RecordWatchEndAsync(WatchLease lease, long through, CancellationToken cancellationToken);

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
    /// The working set as of one revision: every open request (NEW, ASSIGNED, WAITING) and every
    /// request closed within <paramref name="closedWithin"/> before now, by the store's clock.
    /// Which requests those are is settled here, without opening any; their content is read a page
    /// at a time by <see cref="IWorkingSetSnapshot.ReadPagesAsync"/>, so a reader holds a page, not
    /// the set, and nothing it costs grows with the closed history. Not audited here: a watch
    /// stream records what it holds (<see cref="RecordWatchStartAsync(string, IWorkingSetSnapshot, CancellationToken)"/>)
    /// before reading its first page. <paramref name="closedWithin"/> is at most <see cref="WatchAudit.MaxClosedWindow"/>.
    /// Throws FAILED_PRECONDITION LOCKED_DOWN while the key vault is locked.
    /// </summary>
    Task<IWorkingSetSnapshot> ReadWorkingSetAsync(TimeSpan closedWithin, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="max"/> changes with revision &gt;= <paramref name="fromRevision"/>, in order,
    /// and fewer when their requests are large (a run is bounded in bytes as well as in count: see
    /// <see cref="ChangeReplay.More"/>); <see cref="ChangeReplay.Compacted"/> when some of them are no longer kept.
    /// </summary>
    Task<ChangeReplay> ReadChangesAsync(long fromRevision, int max, CancellationToken cancellationToken);
}

/// <summary>A request as it can be described without opening it: no content, no contact handle.</summary>
/// <param name="Assignee">Who holds it now (an operator id), kept after closing as on the request; null when nobody ever did.</param>
public sealed record RequestOutline(string Id, long Number, RequestState State, DateTimeOffset CreateTime, DateTimeOffset? CloseTime, string? Assignee = null);

/// <summary>
/// The working set of a store as of <see cref="Revision"/> (see <see cref="IRequestStore.ReadWorkingSetAsync"/>),
/// whose requests are read when asked for, a page at a time.
/// </summary>
/// <remarks>
/// Pages are read later than the revision, so a request of the set may have changed (or been
/// purged) in between. Such a request is left out rather than sent newer than
/// <see cref="Revision"/>: its change has a higher revision and carries the whole request (or, for
/// a purge, its deletion), so a reader that applies every change after <see cref="Revision"/>
/// ends up with it exactly as stored. Every request a page does hold is exactly as it was at
/// <see cref="Revision"/>, but for <see cref="HelpRequest.EarlierContacts"/>, which is counted when
/// the page is read, as for a change replayed from the log. Each call of <see cref="ReadPagesAsync"/>
/// reads the pages afresh from the store.
/// </remarks>
public interface IWorkingSetSnapshot
{
    /// <summary>The pages reflect every change at or below this revision and none above (see the remarks for what that leaves out).</summary>
    long Revision { get; }

    /// <summary>How many requests made up the working set at <see cref="Revision"/>; the pages hold this many or fewer.</summary>
    int Count { get; }

    /// <summary>The set holds every request open at <see cref="Revision"/> and those closed at or after this time.</summary>
    DateTimeOffset ClosedSince { get; }

    /// <summary>
    /// No request in the set was closed after this time: the later of the clock when the set was
    /// found and the newest close time in it (a clock set back leaves close times ahead of it).
    /// </summary>
    DateTimeOffset ClosedUntil { get; }

    /// <summary>
    /// The requests, in pages of at most <paramref name="pageSize"/>, each read from the store only
    /// when the one before has been taken. No page is empty.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<HelpRequest>> ReadPagesAsync(int pageSize, CancellationToken cancellationToken);
}

/// <summary>A run of the change log.</summary>
/// <param name="Compacted">True when changes at or after the asked revision were already dropped from the log.</param>
public sealed record ChangeReplay(IReadOnlyList<RequestChange> Changes, bool Compacted)
{
    /// <summary>
    /// The run stopped short (at its count or its size) of the newest committed change: read on from
    /// <see cref="ReadThrough"/> + 1. <see cref="Changes"/> alone cannot tell, as it leaves out the
    /// changes of a request being purged.
    /// </summary>
    public bool More { get; init; }

    /// <summary>The revision the run read up to, changes left out included.</summary>
    public long ReadThrough { get; init; }
}

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
