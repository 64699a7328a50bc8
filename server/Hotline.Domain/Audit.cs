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
}

/// <summary>
/// One link of the audit chain: who did what to which requests, and when. Never content.
/// </summary>
/// <param name="Sequence">1, 2, 3, ... with no gaps; the order of the chain.</param>
/// <param name="RequestIds">The requests concerned: one for a mutation or a Get, the page for a List, none for lock, unlock, a watch or an account change.</param>
/// <param name="PreviousHash">The <paramref name="Hash"/> of the record before; 32 zero bytes for the first.</param>
/// <param name="Hash">HMAC-SHA256 over the record's canonical encoding, <paramref name="PreviousHash"/> included.</param>
/// <param name="OperatorId">The account an account change concerns (added, disabled, its token rotated); null for every other record.</param>
public sealed record AuditRecord(
    long Sequence,
    DateTimeOffset Time,
    string Actor,
    AuditAction Action,
    IReadOnlyList<string> RequestIds,
    ReadOnlyMemory<byte> PreviousHash,
    ReadOnlyMemory<byte> Hash,
    string? OperatorId = null);

/// <summary>A page of audit records, oldest first.</summary>
/// <param name="NextAfterSequence">Pass as the next call's start to continue; null on the last page.</param>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Records, long? NextAfterSequence);

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
    /// Records oldest first, after <paramref name="afterSequence"/>; only those naming
    /// <paramref name="requestId"/> when it is set.
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
