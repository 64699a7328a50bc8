using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// Maps <see cref="OperatorRecord"/> to and from BSON by hand, like <see cref="RequestDocument"/>.
/// Only the token's SHA-256 hash is stored, never the token.
/// </summary>
internal static class OperatorDocument
{
    public const string Collection = "operators";

    public static BsonDocument ToBson(OperatorRecord record) => new()
    {
        ["_id"] = record.Id,
        ["display_name"] = record.Account.DisplayName,
        ["role"] = (int)record.Account.Role,
        ["disabled"] = record.Account.Disabled,
        ["token_hash"] = record.TokenHash is { } hash ? new BsonValue(hash) : BsonValue.Null,
        ["create_time"] = record.CreateTime.UtcTicks,
        ["rotate_time"] = record.RotateTime is { } rotated ? new BsonValue(rotated.UtcTicks) : BsonValue.Null,
        ["version"] = record.Version,
    };

    public static OperatorRecord FromBson(BsonDocument doc) => new()
    {
        Account = new OperatorAccount(doc["_id"].AsString, doc["display_name"].AsString, (Role)doc["role"].AsInt32, doc["disabled"].AsBoolean),
        TokenHash = doc["token_hash"].IsNull ? null : doc["token_hash"].AsBinary,
        CreateTime = RequestDocument.Utc(doc["create_time"]),
        RotateTime = doc["rotate_time"].IsNull ? null : RequestDocument.Utc(doc["rotate_time"]),
        Version = doc["version"].AsInt64,
    };
}
