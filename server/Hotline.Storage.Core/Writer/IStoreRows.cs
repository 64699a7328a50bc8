using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>
/// What a write batch reads and writes, in the one transaction the writer has open: each store
/// implements it over its own tables or documents. Everything a write decides (commands, claims,
/// idempotency, audit records, changes, sealing) is decided by <see cref="WriteBatch"/> above it,
/// the same for every store; a store only keeps rows. Used by the writer thread only, inside a
/// transaction begun by <see cref="IStoreEngine.Begin"/>. A failure is thrown: it damages the
/// transaction, which the writer then rolls back whole.
/// </summary>
internal interface IStoreRows
{
    /// <summary>
    /// The stored request, opened with the data key <paramref name="dataKey"/> returns for it; null
    /// when there is no such request, or when its data key is gone (a purge is removing it).
    /// </summary>
    HelpRequest? FindRequest(string requestId, Func<string, byte[]?> dataKey);

    /// <summary>Whether a request with this id is stored (or being purged): a new id must not be.</summary>
    bool RequestExists(string requestId);

    /// <summary>
    /// How many stored requests of the requester with this pseudonym have a number below
    /// <paramref name="number"/>, up to <see cref="EarlierContacts.Cap"/>; 0 without a pseudonym.
    /// </summary>
    int CountEarlierContacts(byte[]? pseudonym, long number);

    /// <summary>
    /// Stores the request a change left (inserting it for <see cref="ChangeKind.Created"/>, else
    /// replacing the row the batch read) sealed with <paramref name="sealer"/>, with the requester's
    /// pseudonym, and appends the change to the change log, sealed the same way.
    /// </summary>
    void WriteChange(RequestChange change, RequestSealer sealer, byte[]? pseudonym);

    /// <summary>Appends a <see cref="ChangeKind.Deleted"/> change, which carries no request, to the change log.</summary>
    void AppendDeletion(RequestChange change);

    /// <summary>
    /// Removes what is left of a purged request: its row, its changes in the log and its intake keys,
    /// and recounts the earlier contacts of the requester's later requests.
    /// </summary>
    /// <returns>The ids of the requests whose rows were rewritten by the recount.</returns>
    IReadOnlyList<string> RemoveRequest(string requestId);

    /// <summary>The receipt of the submission whose idempotency key (as stored: a keyed hash) is <paramref name="key"/>, marked duplicate; null when none.</summary>
    IntakeReceipt? FindReceipt(string key);

    /// <summary>Remembers the receipt under its idempotency key; a second receipt under the same key must fail.</summary>
    void InsertReceipt(string key, IntakeReceipt receipt);

    /// <summary>The request's data key as wrapped by the master key; null when it was destroyed or never made.</summary>
    byte[]? FindWrappedDataKey(string requestId);

    void InsertDataKey(string requestId, byte[] wrapped);

    /// <summary>Deletes the wrapped data key so nothing sealed under it can be opened again (crypto-shredding).</summary>
    void DeleteDataKey(string requestId);

    OperatorRecord? FindOperator(string operatorId);

    void WriteOperator(OperatorRecord record);

    /// <summary>Appends a record to the audit chain; <see cref="WriteBatch"/> has already chained it.</summary>
    void AppendAudit(AuditRecord record);

    /// <summary>
    /// Adds a watch stream's record (already appended as audit record <paramref name="sequence"/>) to
    /// the stream index; <paramref name="window"/>, for a snapshot, widens the widest recorded window.
    /// </summary>
    void AppendWatch(long sequence, WatchMark mark, TimeSpan? window);

    /// <summary>Keeps an account change made during a lockdown, unchained, for the unlock to chain.</summary>
    void DeferAccountAudit(DeferredAccountChange change);

    /// <summary>Every account change kept by <see cref="DeferAccountAudit"/>, oldest first, removed in the same transaction.</summary>
    IReadOnlyList<DeferredAccountChange> TakeDeferredAccountAudits();

    /// <summary>Records whether the installation is locked down.</summary>
    void SetLocked(bool locked);

    /// <summary>Whether <paramref name="requestId"/> names a stored request: what a purge of one request checks.</summary>
    bool IsRequest(string requestId);

    /// <summary>Up to <paramref name="limit"/> ids of requests closed before <paramref name="cutoff"/>, the earliest closed first.</summary>
    IReadOnlyList<string> FindClosedBefore(DateTimeOffset cutoff, int limit);

    /// <summary>The ids of a purge whose keys are destroyed and whose rows are not yet removed (a crash came between).</summary>
    IReadOnlyList<string> ReadPurgesInProgress();

    /// <summary>Records the ids of a purge, by <paramref name="actor"/>, in the transaction that destroys their keys.</summary>
    void WritePurgesInProgress(IReadOnlyList<string> requestIds, string actor);

    void ClearPurgesInProgress();

    /// <summary>Drops the changes at or below <paramref name="revision"/> from the change log; returns how many.</summary>
    int DeleteChangesThrough(long revision);

    /// <summary>
    /// Writes the counters as the transaction leaves them, once per transaction;
    /// <paramref name="revisionChanged"/> when any change was appended.
    /// </summary>
    void WriteCounters(StoreCounters counters, bool revisionChanged);
}

/// <summary>How a request's earlier contacts are counted, by every store.</summary>
internal static class EarlierContacts
{
    /// <summary>Counting stops here: the contract reports this value as "this many or more".</summary>
    public const int Cap = 100;
}

/// <summary>An account change made during a lockdown, waiting for the unlock to chain its audit record.</summary>
internal sealed record DeferredAccountChange(DateTimeOffset Time, string Actor, AuditAction Action, string OperatorId);
