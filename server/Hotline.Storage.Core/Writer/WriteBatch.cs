using System.Security.Cryptography;
using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>
/// The state of one transaction as the writer builds it: the counters as they will be after the
/// commit, and the rows written so far, so a later command in the same batch decides against an
/// earlier one's result. It seals what it writes with the keys it holds, and appends one audit
/// record per change in the same transaction. Data keys unwrapped for the batch are erased when it
/// is disposed. The same for every store: it reads and writes through the store's
/// <see cref="IStoreRows"/>. Used by the writer thread only.
/// </summary>
internal sealed class WriteBatch : IDisposable
{
    private readonly IStoreRows _rows;
    private readonly KeyLease? _keys;
    /// <summary><see cref="DataKey"/> as the delegate rows open a request with, made once per batch rather than once per read.</summary>
    private readonly Func<string, byte[]?> _dataKey;
    private readonly Dictionary<string, HelpRequest> _written = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IntakeReceipt> _receipts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OperatorRecord> _operators = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _dataKeys = new(StringComparer.Ordinal);
    private readonly List<RequestChange> _changes = [];
    private bool _countersChanged;
    private bool _revisionChanged;

    /// <param name="keys">
    /// Null for a batch that seals nothing and writes no audit record: finishing a purge, or
    /// operator accounts changed while the installation is locked down.
    /// </param>
    public WriteBatch(IStoreRows rows, StoreCounters counters, DateTimeOffset now, KeyLease? keys)
    {
        _rows = rows;
        _keys = keys;
        _dataKey = DataKey;
        Counters = counters;
        Now = now;
    }

    /// <summary>One clock reading per transaction, like a database commit time.</summary>
    public DateTimeOffset Now { get; }

    public StoreCounters Counters { get; private set; }

    /// <summary>In revision order.</summary>
    public IReadOnlyList<RequestChange> Changes => _changes;

    /// <summary>True once anything was written: the batch must then be checkpointed before anyone hears of it.</summary>
    public bool Wrote => _countersChanged || _operators.Count > 0;

    private KeyRing Ring => (_keys ?? throw DomainException.LockedDown(write: true)).Ring;

    public HelpRequest? Find(string requestId)
    {
        if (_written.TryGetValue(requestId, out var written))
        {
            return written;
        }
        // A request whose data key is gone is being purged: it no longer exists for any command.
        return _rows.FindRequest(requestId, _dataKey);
    }

    /// <param name="key">The stored form of the idempotency key, for <see cref="RememberReceipt"/>: one HMAC per submission, not two.</param>
    public IntakeReceipt? FindReceipt(string submittedBy, string intakeRequestId, out string key)
    {
        key = IntakeKeys.Key(Ring, submittedBy, intakeRequestId);
        if (_receipts.TryGetValue(key, out var receipt))
        {
            return receipt;
        }
        return _rows.FindReceipt(key);
    }

    public string NewRequestId()
    {
        // 60 random bits within one millisecond make a collision practically impossible; checking costs one index lookup and makes it impossible.
        string id;
        do
        {
            id = RequestIds.New(Now);
        }
        while (_written.ContainsKey(id) || _rows.RequestExists(id));
        return id;
    }

    /// <summary>Gives a new request its random data key and stores the key wrapped by the master key.</summary>
    public void CreateDataKey(string requestId)
    {
        var (dataKey, wrapped) = Ring.NewDataKey(requestId);
        _rows.InsertDataKey(requestId, wrapped);
        _dataKeys[requestId] = dataKey;
    }

    public long TakeNumber()
    {
        var number = Counters.NextNumber;
        Counters = Counters with { NextNumber = number + 1 };
        _countersChanged = true;
        return number;
    }

    /// <summary>
    /// Stamps the next revision on <paramref name="request"/>, stores it sealed, appends the change
    /// to the log (sealed the same way) and its audit record. A created request is inserted (its id
    /// was just checked to be free); any other change replaces a row this batch has just read.
    /// </summary>
    public HelpRequest Record(ChangeKind kind, HelpRequest request, string actor)
    {
        var revision = Counters.LastRevision + 1;
        var dataKey = DataKey(request.Id) ?? throw new InvalidOperationException($"Request {request.Id} has no data key.");
        var stamped = request with { Revision = revision };
        var pseudonym = RequesterPseudonym.Of(Ring, request.Channel, request.ContactHandle);
        if (kind == ChangeKind.Created)
        {
            // Counted once, here, and stored with the request; later changes keep it (no command changes who the requester is).
            stamped = stamped with { EarlierContacts = _rows.CountEarlierContacts(pseudonym, stamped.Number) };
        }
        var change = new RequestChange(revision, kind, stamped.Id, stamped, actor);
        using (var sealer = new RequestSealer(request.Id, dataKey))
        {
            _rows.WriteChange(change, sealer, pseudonym);
        }
        Counters = Counters with { LastRevision = revision };
        _countersChanged = true;
        _revisionChanged = true;
        _written[stamped.Id] = stamped;
        _changes.Add(change);
        AppendRecord(Now, actor, AuditActionOf(kind), [stamped.Id], operatorId: null, revision);
        return stamped;
    }

    public OperatorRecord? FindOperator(string operatorId)
    {
        if (_operators.TryGetValue(operatorId, out var written))
        {
            return written;
        }
        return _rows.FindOperator(operatorId);
    }

    public void WriteOperator(OperatorRecord record)
    {
        _rows.WriteOperator(record);
        _operators[record.Id] = record;
    }

    /// <param name="key">The stored form of the idempotency key, as <see cref="FindReceipt"/> gave it.</param>
    public void RememberReceipt(string key, IntakeReceipt receipt)
    {
        _rows.InsertReceipt(key, receipt);
        _receipts[key] = receipt with { Duplicate = true };
    }

    /// <summary>Appends a record to the audit chain, linked to the one before it.</summary>
    public void Audit(string actor, AuditAction action, IReadOnlyList<string> requestIds) =>
        AppendRecord(Now, actor, action, requestIds, operatorId: null);

    /// <summary>
    /// Appends the PURGED record of a request whose data key this batch destroys, with the store's
    /// revision now: a watch snapshot read at a later revision cannot have held it (see <see cref="StreamExposure"/>).
    /// </summary>
    public void AuditPurge(string actor, string requestId) =>
        AppendRecord(Now, actor, AuditAction.Purged, [requestId], operatorId: null, Counters.LastRevision);

    /// <summary>
    /// Appends a watch stream's record and its entry in the stream index. A WATCHED record opens the
    /// stream: its <see cref="WatchMark.Stream"/> is set here to its own sequence number.
    /// <paramref name="window"/>, for a snapshot, is the width of its closed window as recorded in
    /// the index state, which a request's trail reads back that far by.
    /// </summary>
    /// <returns>The mark as recorded.</returns>
    public WatchMark AuditWatch(string actor, AuditAction action, WatchMark mark, TimeSpan? window = null)
    {
        var sequence = Counters.AuditSequence + 1;
        if (action == AuditAction.Watched)
        {
            mark = mark with { Stream = sequence };
        }
        AppendRecord(Now, actor, action, [], operatorId: null, revision: null, mark);
        _rows.AppendWatch(sequence, mark, window);
        return mark;
    }

    /// <summary>
    /// Appends the record of a change to an operator account. During a lockdown the chain's key is
    /// not in memory, yet revoking a token must still work; the record then waits, unchained, beside
    /// the security document, and is chained (with the time it happened) just before the unlock's
    /// own record. Until then it is as open to tampering as any unsigned row, which is why the unlock
    /// is the first thing an admin should do once it is safe.
    /// </summary>
    public void AuditAccount(string actor, AuditAction action, string operatorId)
    {
        if (_keys is null)
        {
            _rows.DeferAccountAudit(new DeferredAccountChange(Now, actor, action, operatorId));
            return;
        }
        AppendRecord(Now, actor, action, [], operatorId);
    }

    /// <summary>Deletes a request's wrapped data key, and erases the unwrapped one if this batch holds it.</summary>
    public void DestroyDataKey(string requestId)
    {
        _rows.DeleteDataKey(requestId);
        if (_dataKeys.Remove(requestId, out var dataKey))
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>Removes what is left of a purged request and logs its deletion: id only, no content.</summary>
    public void RemovePurged(string requestId, string actor)
    {
        foreach (var recounted in _rows.RemoveRequest(requestId))
        {
            _written.Remove(recounted);
        }
        var revision = Counters.LastRevision + 1;
        var change = new RequestChange(revision, ChangeKind.Deleted, requestId, null, actor);
        _rows.AppendDeletion(change);
        Counters = Counters with { LastRevision = revision };
        _countersChanged = true;
        _revisionChanged = true;
        _written.Remove(requestId);
        _changes.Add(change);
    }

    /// <summary>Records the vault's locked state, audited.</summary>
    public void SetLocked(bool locked, string actor)
    {
        _rows.SetLocked(locked);
        if (!locked)
        {
            foreach (var deferred in _rows.TakeDeferredAccountAudits())
            {
                AppendRecord(deferred.Time, deferred.Actor, deferred.Action, [], deferred.OperatorId);
            }
        }
        Audit(actor, locked ? AuditAction.Locked : AuditAction.Unlocked, []);
    }

    /// <summary>Writes the counters, once for the whole batch.</summary>
    public void Finish()
    {
        if (_countersChanged)
        {
            _rows.WriteCounters(Counters, _revisionChanged);
        }
    }

    public void Dispose()
    {
        foreach (var dataKey in _dataKeys.Values)
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
        _dataKeys.Clear();
    }

    private void AppendRecord(DateTimeOffset time, string actor, AuditAction action, IReadOnlyList<string> requestIds, string? operatorId,
        long? revision = null, WatchMark? watch = null)
    {
        var record = AuditChain.Create(Ring, Counters.AuditSequence + 1, time, actor, action, requestIds, Counters.AuditHead, operatorId,
            revision, watch);
        _rows.AppendAudit(record);
        Counters = Counters with { AuditSequence = record.Sequence, AuditHead = record.Hash.ToArray() };
        _countersChanged = true;
    }

    private byte[]? DataKey(string requestId)
    {
        if (_dataKeys.TryGetValue(requestId, out var cached))
        {
            return cached;
        }
        var dataKey = _rows.FindWrappedDataKey(requestId) is { } wrapped ? Ring.UnwrapDataKey(requestId, wrapped) : null;
        if (dataKey is not null)
        {
            _dataKeys[requestId] = dataKey;
        }
        return dataKey;
    }

    private static AuditAction AuditActionOf(ChangeKind kind) => kind switch
    {
        ChangeKind.Created => AuditAction.Submitted,
        ChangeKind.Assigned => AuditAction.Assigned,
        ChangeKind.Released => AuditAction.Released,
        ChangeKind.NoteAdded => AuditAction.NoteAdded,
        ChangeKind.Updated => AuditAction.Updated,
        ChangeKind.Closed => AuditAction.Closed,
        ChangeKind.Reopened => AuditAction.Reopened,
        ChangeKind.Deleted => AuditAction.Purged,
        ChangeKind.Escalated => AuditAction.Escalated,
        ChangeKind.FollowUpSet => AuditAction.FollowUpSet,
        ChangeKind.FollowUpDue => AuditAction.FollowUpDue,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a change that is audited as a mutation."),
    };
}
