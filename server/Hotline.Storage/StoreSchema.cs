using LiteDB;

namespace Hotline.Storage;

/// <summary>The collections of a Hotline database and their indexes.</summary>
internal sealed class StoreSchema
{
    public StoreSchema(LiteDatabase database)
    {
        Requests = database.GetCollection(RequestDocument.Collection);
        Changes = database.GetCollection(ChangeDocument.Collection);
        IntakeKeys = database.GetCollection(IntakeKeyDocument.Collection);
        Meta = database.GetCollection(StoreCounters.Collection);
        Keys = database.GetCollection(DataKeyDocument.Collection);
        Audit = database.GetCollection(AuditDocument.Collection);
        Operators = database.GetCollection(OperatorDocument.Collection);
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

    /// <summary>Writes: call only from the writer, and only after the opening checkpoint.</summary>
    public void EnsureIndexes()
    {
        Requests.EnsureIndex(RequestDocument.StateField, "$." + RequestDocument.StateField);
        Requests.EnsureIndex(RequestDocument.NumberField, "$." + RequestDocument.NumberField, unique: true);
        Requests.EnsureIndex(RequestDocument.RequesterField, "$." + RequestDocument.RequesterField);
        // A watch snapshot finds the recently closed requests without walking the closed history.
        Requests.EnsureIndex(RequestDocument.CloseTimeField, "$." + RequestDocument.CloseTimeField);
        // A purge finds a request's change-log entries and intake keys without scanning either collection.
        Changes.EnsureIndex(ChangeDocument.RequestIdField, "$." + ChangeDocument.RequestIdField);
        IntakeKeys.EnsureIndex(IntakeKeyDocument.RequestIdField, "$." + IntakeKeyDocument.RequestIdField);
        Audit.EnsureIndex(AuditDocument.RequestIdsField, "$." + AuditDocument.RequestIdsField + "[*]");
    }
}
