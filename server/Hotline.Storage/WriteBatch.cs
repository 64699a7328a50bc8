using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>
/// The state of one group-commit transaction as the writer builds it: the counters as they will
/// be after the commit, and the rows written so far, so a later command in the same batch
/// decides against an earlier one's result.
/// </summary>
internal sealed class WriteBatch
{
    private readonly StoreSchema _schema;
    private readonly IdLookup _requestsById;
    private readonly IdLookup _intakeKeysById;
    private readonly Dictionary<string, HelpRequest> _written = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IntakeReceipt> _receipts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OperatorRecord> _operators = new(StringComparer.Ordinal);
    private readonly List<RequestChange> _changes = [];
    private bool _countersChanged;

    public WriteBatch(StoreSchema schema, IdLookup requestsById, IdLookup intakeKeysById, StoreCounters counters, DateTimeOffset now)
    {
        _schema = schema;
        _requestsById = requestsById;
        _intakeKeysById = intakeKeysById;
        Counters = counters;
        Now = now;
    }

    /// <summary>One clock reading per transaction, like a database commit time.</summary>
    public DateTimeOffset Now { get; }

    public StoreCounters Counters { get; private set; }

    /// <summary>In revision order.</summary>
    public IReadOnlyList<RequestChange> Changes => _changes;

    /// <summary>True when the transaction changes anything, so it must be flushed before anyone is told.</summary>
    public bool Wrote => _changes.Count > 0 || _operators.Count > 0;

    public HelpRequest? Find(string requestId)
    {
        if (_written.TryGetValue(requestId, out var written))
        {
            return written;
        }
        return _requestsById.Find(requestId) is { } doc && !RevisionWatermark.Is(doc)
            ? RequestDocument.FromBson(doc)
            : null;
    }

    public IntakeReceipt? FindReceipt(string submittedBy, string intakeRequestId)
    {
        var key = IntakeKeyDocument.Key(submittedBy, intakeRequestId);
        if (_receipts.TryGetValue(key, out var receipt))
        {
            return receipt;
        }
        return _intakeKeysById.Find(key) is { } doc ? IntakeKeyDocument.DuplicateReceipt(doc) : null;
    }

    public string NewRequestId()
    {
        // 100 random bits make a collision practically impossible; checking costs one index lookup and makes it impossible.
        string id;
        do
        {
            id = RequestIds.New();
        }
        while (Find(id) is not null);
        return id;
    }

    public long TakeNumber()
    {
        var number = Counters.NextNumber;
        Counters = Counters with { NextNumber = number + 1 };
        _countersChanged = true;
        return number;
    }

    /// <summary>
    /// Stamps the next revision on <paramref name="request"/>, stores it and appends the change to the log.
    /// A created request is inserted: its id was just checked to be free, and the unique <c>_id</c>
    /// index would refuse it otherwise, so an upsert's extra update attempt (an index lookup that
    /// always misses) buys nothing. Any other change updates a row this batch has just read.
    /// </summary>
    public HelpRequest Record(ChangeKind kind, HelpRequest request, string actor)
    {
        var revision = Counters.LastRevision + 1;
        var stamped = request with { Revision = revision };
        var change = new RequestChange(revision, kind, stamped.Id, stamped, actor);
        var row = RequestDocument.ToBson(stamped);
        if (kind == ChangeKind.Created)
        {
            _schema.Requests.Insert(row);
        }
        else if (!_schema.Requests.Update(row))
        {
            throw new InvalidOperationException("A request read inside the batch was not there to update.");
        }
        _schema.Changes.Insert(ChangeDocument.ToBson(change, row));
        Counters = Counters with { LastRevision = revision };
        _countersChanged = true;
        _written[stamped.Id] = stamped;
        _changes.Add(change);
        return stamped;
    }

    public OperatorRecord? FindOperator(string operatorId)
    {
        if (_operators.TryGetValue(operatorId, out var written))
        {
            return written;
        }
        return _schema.Operators.FindById(operatorId) is { } doc ? OperatorDocument.FromBson(doc) : null;
    }

    public void WriteOperator(OperatorRecord record)
    {
        _schema.Operators.Upsert(OperatorDocument.ToBson(record));
        _operators[record.Id] = record;
    }

    public void RememberReceipt(string submittedBy, string intakeRequestId, IntakeReceipt receipt)
    {
        _schema.IntakeKeys.Insert(IntakeKeyDocument.ToBson(submittedBy, intakeRequestId, receipt));
        _receipts[IntakeKeyDocument.Key(submittedBy, intakeRequestId)] = receipt with { Duplicate = true };
    }

    /// <summary>Writes the counters and the snapshot watermark once for the whole batch.</summary>
    public void Finish()
    {
        if (!_countersChanged)
        {
            return;
        }
        Counters.Write(_schema.Meta);
        _schema.Requests.Upsert(RevisionWatermark.ToBson(Counters.LastRevision));
    }
}
