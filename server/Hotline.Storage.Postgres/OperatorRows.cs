using Hotline.Domain;
using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>Operator accounts in the <c>operators</c> table. Only the token's SHA-256 hash is stored, never the token.</summary>
internal static class OperatorRows
{
    /// <summary>The columns <see cref="Read"/> expects, in order.</summary>
    public const string Columns = "id, display_name, role, disabled, token_hash, create_ticks, rotate_ticks, version";

    public static OperatorRecord Read(NpgsqlDataReader row) => new()
    {
        Account = new OperatorAccount(row.GetString(0), row.GetString(1), (Role)row.GetInt32(2), row.GetBoolean(3)),
        TokenHash = Postgres.Columns.BytesOrNull(row, 4),
        CreateTime = RequestRows.Utc(row.GetInt64(5)),
        RotateTime = Postgres.Columns.Int64OrNull(row, 6) is { } rotated ? RequestRows.Utc(rotated) : null,
        Version = row.GetInt64(7),
    };
}
