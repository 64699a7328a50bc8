using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// Finds a document by <c>_id</c> with one predicate parsed once. LiteDB's <c>FindById</c> parses
/// "_id = @0" into a new expression tree on every call, which made the writer's two lookups per
/// submit (intake key, id collision) its most expensive step. The parameter is set and read
/// within one synchronous call, so an instance must only ever be used from one thread: the writer's.
/// </summary>
internal sealed class IdLookup(ILiteCollection<BsonDocument> collection)
{
    private readonly BsonExpression _byId = BsonExpression.Create("_id = @0", BsonValue.Null);

    public BsonDocument? Find(BsonValue id)
    {
        _byId.Parameters["0"] = id;
        return collection.Find(_byId, skip: 0, limit: 1).FirstOrDefault();
    }
}
