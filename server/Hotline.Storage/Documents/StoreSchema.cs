using LiteDB;

namespace Hotline.Storage;

/// <summary>The collections of a Hotline database and their indexes.</summary>
internal sealed class StoreSchema
{
    /// <summary>Requests given their queue key per transaction by the backfill: bounds the memory one transaction holds.</summary>
    internal const int BackfillBatchSize = 2_000;

    private readonly LiteDatabase _database;

    public StoreSchema(LiteDatabase database)
    {
        _database = database;
        Requests = database.GetCollection(RequestDocument.Collection);
        Changes = database.GetCollection(ChangeDocument.Collection);
        IntakeKeys = database.GetCollection(IntakeKeyDocument.Collection);
        Meta = database.GetCollection(StoreCounters.Collection);
        Keys = database.GetCollection(DataKeyDocument.Collection);
        Audit = database.GetCollection(AuditDocument.Collection);
        Operators = database.GetCollection(OperatorDocument.Collection);
        Watches = database.GetCollection(WatchDocument.Collection);
    }

    public ILiteCollection<BsonDocument> Requests { get; }

    /// <summary>The change log: one document per revision, keyed by it.</summary>
    public ILiteCollection<BsonDocument> Changes { get; }

    /// <summary>(submitter, intake request id) to the request it created, so a retried submission finds its first receipt.</summary>
    public ILiteCollection<BsonDocument> IntakeKeys { get; }

    public ILiteCollection<BsonDocument> Meta { get; }

    /// <summary>Each request's wrapped data key, keyed by request id.</summary>
    public ILiteCollection<BsonDocument> Keys { get; }

    /// <summary>The audit chain, keyed by sequence number.</summary>
    public ILiteCollection<BsonDocument> Audit { get; }

    /// <summary>People and integrations that may call, keyed by operator id, with their token hashes.</summary>
    public ILiteCollection<BsonDocument> Operators { get; }

    /// <summary>The stream index: the watch records of the audit chain, keyed by sequence number (<see cref="WatchDocument"/>).</summary>
    public ILiteCollection<BsonDocument> Watches { get; }

    /// <summary>Writes: call only from the writer, and only after the opening checkpoint.</summary>
    public void EnsureIndexes()
    {
        Requests.EnsureIndex(RequestDocument.StateField, "$." + RequestDocument.StateField);
        Requests.EnsureIndex(RequestDocument.NumberField, "$." + RequestDocument.NumberField, unique: true);
        Requests.EnsureIndex(RequestDocument.RequesterField, "$." + RequestDocument.RequesterField);
        // A watch snapshot finds the recently closed requests without walking the closed history, and
        // a purge the oldest closed ones. Closed requests only: an open one has no key in it.
        EnsureIndexOn(Requests, RequestDocument.CloseTimeField, RequestDocument.CloseTimeKey);
        // Lists walk these in the asked order from the page token's position and stop when the page
        // is full (LiteDbRequestStore.ListAsync), instead of sorting every stored request.
        Requests.EnsureIndex(RequestDocument.CreateTimeField, "$." + RequestDocument.CreateTimeField);
        Requests.EnsureIndex(RequestDocument.UpdateTimeField, "$." + RequestDocument.UpdateTimeField);
        // The supervisor figures find today's first claims through it (LiteDbRequestStore.ReadQueueAsync).
        // Claimed requests only, as the close time's.
        EnsureIndexOn(Requests, RequestDocument.FirstClaimTimeField, RequestDocument.FirstClaimTimeKey);
        Requests.EnsureIndex(RequestDocument.QueueKeyField, "$." + RequestDocument.QueueKeyField);
        BackfillQueueKeys();
        // Lists of open requests read this index's keys and load only the page (LiteDbRequestStore.ListOpen).
        Requests.EnsureIndex(RequestDocument.OpenKeyField, "$." + RequestDocument.OpenKeyField);
        BackfillOpenKeys();
        // A purge finds a request's change-log entries and intake keys without scanning either collection.
        Changes.EnsureIndex(ChangeDocument.RequestIdField, "$." + ChangeDocument.RequestIdField);
        IntakeKeys.EnsureIndex(IntakeKeyDocument.RequestIdField, "$." + IntakeKeyDocument.RequestIdField);
        Audit.EnsureIndex(AuditDocument.RequestKeysField, "$." + AuditDocument.RequestKeysField + "[*]");
        // A request's trail finds the streams around its changes, its open spans and its closes (LiteDbRequestStore.ListAuditAsync).
        Watches.EnsureIndex(WatchDocument.ThroughField, "$." + WatchDocument.ThroughField);
        Watches.EnsureIndex(WatchDocument.StreamField, "$." + WatchDocument.StreamField);
        Watches.EnsureIndex(WatchDocument.SnapshotAtField, "$." + WatchDocument.SnapshotAtField);
        Watches.EnsureIndex(WatchDocument.ClosedSinceField, "$." + WatchDocument.ClosedSinceField);
    }

    /// <summary>
    /// Creates the index, or, on a store that keeps it on another expression (the close-time and
    /// first-claim indexes held nulls before they were keyed on closed and claimed requests alone),
    /// drops it and builds it again: once, at the first open after the upgrade, reading every
    /// document of the collection (about a second per 100,000 requests measured in memory).
    /// </summary>
    internal void EnsureIndexOn(ILiteCollection<BsonDocument> collection, string name, string expression)
    {
        if (IndexExpression(collection, name) is { } current && current != BsonExpression.Create(expression).Source)
        {
            collection.DropIndex(name);
        }
        collection.EnsureIndex(name, expression);
    }

    /// <summary>The expression LiteDB keeps for the index, normalised as <see cref="BsonExpression.Source"/>; null when there is none.</summary>
    internal string? IndexExpression(ILiteCollection<BsonDocument> collection, string name) =>
        _database.GetCollection("$indexes").FindOne("collection = @0 AND name = @1", collection.Name, name)?["expression"].AsString;

    /// <summary>
    /// Gives open requests stored before the open key existed their key. Reads the open requests
    /// through the state index, so it costs the open queue on every open, never the closed history
    /// (closed requests have no open key). Idempotent.
    /// </summary>
    private void BackfillOpenKeys()
    {
        var missing = Requests.Find(BsonExpression.Create(LiteDbRequestStore.OpenStates, LiteDbRequestStore.OpenStateValues))
            .Where(d => d[RequestDocument.OpenKeyField].IsNull)
            .ToList();
        foreach (var batch in missing.Chunk(BackfillBatchSize))
        {
            _database.BeginTrans();
            try
            {
                foreach (var doc in batch)
                {
                    doc[RequestDocument.OpenKeyField] = RequestDocument.OpenKey(RequestDocument.Envelope(doc));
                    Requests.Update(doc);
                }
                _database.Commit();
            }
            catch
            {
                _database.Rollback();
                throw;
            }
        }
    }

    /// <summary>
    /// Gives requests stored before the queue key existed their key. The index holds nulls too, so
    /// finding the requests without one is an index seek: on every later open it finds only the
    /// revision watermark (which has no key) and costs nothing in proportion to the history.
    /// Idempotent: a backfill cut short is finished by the next open.
    /// </summary>
    private void BackfillQueueKeys()
    {
        var missing = Query.EQ(RequestDocument.QueueKeyField, BsonValue.Null);
        while (true)
        {
            var batch = Requests.Find(missing, 0, BackfillBatchSize + 1).Where(RevisionWatermark.IsRequest).Take(BackfillBatchSize).ToList();
            if (batch.Count == 0)
            {
                return;
            }
            _database.BeginTrans();
            try
            {
                foreach (var doc in batch)
                {
                    doc[RequestDocument.QueueKeyField] = RequestDocument.QueueKey(
                        (Domain.Urgency)doc["urgency"].AsInt32, RequestDocument.Utc(doc[RequestDocument.CreateTimeField]));
                    Requests.Update(doc);
                }
                _database.Commit();
            }
            catch
            {
                _database.Rollback();
                throw;
            }
        }
    }
}
