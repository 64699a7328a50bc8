using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// The installation's key-check value (sealed under a key derived from the master key when the
/// data directory was created, so a wrong key is recognised before anything is sealed with it)
/// and whether it is locked down. In the <c>meta</c> collection.
/// </summary>
internal sealed record SecurityDocument(byte[] KeyCheck, bool Locked)
{
    private const string Id = "security";

    public static SecurityDocument? Read(ILiteCollection<BsonDocument> meta) =>
        meta.FindById(Id) is { } doc ? new SecurityDocument(doc["key_check"].AsBinary, doc["locked"].AsBoolean) : null;

    public void Write(ILiteCollection<BsonDocument> meta) => meta.Upsert(new BsonDocument
    {
        ["_id"] = Id,
        ["key_check"] = KeyCheck,
        ["locked"] = Locked,
    });
}
