namespace Hotline.Domain;

/// <summary>What an audit record says happened. Values match the contract's numbers.</summary>
public enum AuditAction
{
    Unspecified = 0,
    Submitted = 1,
    Assigned = 2,
    Released = 3,
    NoteAdded = 4,
    Updated = 5,
    Closed = 6,
    Reopened = 7,
    Purged = 8,
    RetentionRun = 9,
    Read = 10,
    Listed = 11,
    Watched = 12,
    Locked = 13,
    Unlocked = 14,
    OperatorAdded = 15,
    OperatorDisabled = 16,
    OperatorEnabled = 17,
    OperatorTokenRotated = 18,
    OperatorTokenRevoked = 19,
    WatchProgressed = 20,
    WatchEnded = 21,
    Escalated = 22,
    FollowUpSet = 23,
    FollowUpDue = 24,
    Reported = 25,
}

/// <summary>
/// One link of the audit chain: who did what to which requests, and when. Never content.
/// </summary>
/// <param name="Sequence">1, 2, 3, ... with no gaps; the order of the chain.</param>
/// <param name="RequestIds">The requests concerned: one for a mutation or a Get, the page for a List, none for lock, unlock, a watch or an account change.</param>
/// <param name="PreviousHash">The <paramref name="Hash"/> of the record before; 32 zero bytes for the first.</param>
/// <param name="Hash">HMAC-SHA256 over the record's canonical encoding, <paramref name="PreviousHash"/> included.</param>
/// <param name="OperatorId">The account an account change concerns (added, disabled, its token rotated); null for every other record.</param>
/// <param name="Revision">
/// For a change to a request (submitted ... reopened): the revision of that change. For PURGED: the
/// store's revision when the request's data key was destroyed (its DELETED change comes later).
/// Null for every other record, and for changes recorded before records carried revisions.
/// </param>
/// <param name="Watch">For the records of a watch stream (WATCHED, WATCH_PROGRESSED, WATCH_ENDED): what it was sent; null otherwise.</param>
public sealed record AuditRecord(
    long Sequence,
    DateTimeOffset Time,
    string Actor,
    AuditAction Action,
    IReadOnlyList<string> RequestIds,
    ReadOnlyMemory<byte> PreviousHash,
    ReadOnlyMemory<byte> Hash,
    string? OperatorId = null,
    long? Revision = null,
    WatchMark? Watch = null)
{
    /// <summary>
    /// Only on a WATCHED record in one request's trail: the stream as its newest record leaves it
    /// (<see cref="WatchMark.Through"/>, <see cref="WatchMark.Ended"/>). Not part of the record, so
    /// not covered by its hash; the records it comes from are in the chain.
    /// </summary>
    public WatchMark? Reached { get; init; }
}

/// <summary>
/// What a record of a WatchRequests stream says the stream sent. A stream sends requests by
/// revision, not by name, so its records name none; a request's trail works out from these which
/// streams could have sent it (<see cref="StreamExposure"/>). Every record of a stream is written,
/// and on disk, before the stream sends anything the record covers.
/// </summary>
/// <param name="Stream">The sequence number of the WATCHED record that opened the stream (that record's own).</param>
/// <param name="FromRevision">Changes above this revision were sent to the stream, replayed or live.</param>
/// <param name="Through">
/// Changes up to this revision may have been sent when the record was written. Until the next
/// record, the stream sends at most <see cref="WatchAudit.RevisionsPerRecord"/> revisions beyond it.
/// </param>
/// <param name="SnapshotClosedSince">
/// On a WATCHED record of a stream that opened with a snapshot of the working set at
/// <paramref name="FromRevision"/>: the snapshot held every request open then and those closed at
/// or after this time. Null for a stream resumed from a revision (no snapshot) and on later records.
/// </param>
/// <param name="Ended">The stream ended: nothing above <paramref name="Through"/> was sent.</param>
public sealed record WatchMark(long Stream, long FromRevision, long Through, DateTimeOffset? SnapshotClosedSince, bool Ended);

/// <summary>
/// What a watch stream may send until it is recorded again: every revision up to
/// <see cref="Until"/>. Before sending a change above it the stream must record how far it got,
/// which extends the lease; so when a server dies mid-stream, its last record still bounds what
/// the stream could have sent.
/// </summary>
/// <param name="Stream">The sequence number of the stream's WATCHED record.</param>
/// <param name="Viewer">The account the stream sends to: the actor of its records.</param>
public sealed record WatchLease(long Stream, string Viewer, long FromRevision, long Until);

/// <summary>The limits a store's watch records are written and read under.</summary>
public static class WatchAudit
{
    /// <summary>
    /// Revisions a stream may send beyond its last record. Larger means fewer records (one per
    /// stream per this many revisions) but a longer span credited to a stream whose end was never
    /// recorded (a server that died, a lockdown); reading a trail costs about the same either way.
    /// Changing it would misread older records: keep it, or keep the old value for them.
    /// </summary>
    public const long RevisionsPerRecord = 1_000;

    /// <summary>The longest closed window a watch snapshot may hold; a request's trail looks back this far at most.</summary>
    public static readonly TimeSpan MaxClosedWindow = TimeSpan.FromDays(7);
}

/// <summary>A page of audit records, oldest first.</summary>
/// <param name="NextAfterSequence">Pass as the next call's start to continue; null on the last page.</param>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Records, long? NextAfterSequence)
{
    /// <summary>
    /// The page from up to <paramref name="limit"/> + 1 records in sequence order, as a store reads
    /// them: the one past the limit is dropped and says there is a next page, after the last kept.
    /// </summary>
    public static AuditPage FromOneMore(List<AuditRecord> records, int limit)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count <= limit)
        {
            return new AuditPage(records, null);
        }
        records.RemoveRange(limit, records.Count - limit);
        return new AuditPage(records, records.Count > 0 ? records[^1].Sequence : null);
    }
}

/// <summary>How a check of the chain ended.</summary>
public enum AuditChainProblem
{
    None = 0,

    /// <summary>A record's contents do not match its hash: it was edited, or written by someone without the key.</summary>
    RecordAltered = 1,

    /// <summary>A sequence number is missing: a record was deleted here.</summary>
    RecordMissing = 2,

    /// <summary>A record does not continue from the one before it: records were inserted, reordered or replaced here.</summary>
    ChainBroken = 3,

    /// <summary>The chain ends before the head recorded with the newest write: records were cut off the end.</summary>
    ChainTruncated = 4,
}

/// <summary>The result of checking the whole audit chain.</summary>
/// <param name="RecordsChecked">How many records were read.</param>
/// <param name="Position">Where the first problem is: the sequence number expected at that point of the chain; 0 when intact.</param>
/// <param name="HeadSequence">The newest sequence number of an intact chain; worth writing down elsewhere, since a chain cut
/// back to an earlier head can only be noticed against a copy kept outside the server.</param>
/// <param name="HeadHash">The hash of that newest record.</param>
public sealed record AuditVerification(
    bool Intact,
    long RecordsChecked,
    AuditChainProblem Problem,
    long Position,
    string Detail,
    long HeadSequence,
    ReadOnlyMemory<byte> HeadHash)
{
    /// <summary>
    /// Account changes made during a lockdown, stored unsigned until the unlock chains them; not
    /// protected by the chain until then. Always 0 while unlocked.
    /// </summary>
    public int AccountChangesAwaitingUnlock { get; init; }
}

/// <summary>The audit trail: append-only, hash-chained, written by the store with every change and every sensitive read.</summary>
public interface IAuditTrail
{
    /// <summary>
    /// Records oldest first, after <paramref name="afterSequence"/>. When <paramref name="requestId"/>
    /// is set: the records naming it and, resolved when read, the WATCHED record of every watch
    /// stream that could have sent its content (see <see cref="StreamExposure"/>), each with
    /// <see cref="AuditRecord.Reached"/> set. Costs in proportion to the request's own records and
    /// the streams open around its changes, not to the trail.
    /// </summary>
    Task<AuditPage> ListAuditAsync(string? requestId, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the whole chain and checks every link. Needs the master key: throws
    /// FAILED_PRECONDITION LOCKED_DOWN while locked.
    /// </summary>
    Task<AuditVerification> VerifyAuditAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Checks the chain with <paramref name="masterKey"/> instead of the keys in memory, leaving a
    /// lockdown in place: after an incident an admin can check the trail before deciding to unlock.
    /// Throws PERMISSION_DENIED MASTER_KEY_MISMATCH when it is not the installation's key.
    /// </summary>
    Task<AuditVerification> VerifyAuditAsync(ReadOnlyMemory<byte> masterKey, CancellationToken cancellationToken);
}
