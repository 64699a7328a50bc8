using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>
/// Column reads of the current row for async loops. Commands here never ask for sequential access,
/// so Npgsql has the whole row in memory once <c>ReadAsync</c> returns and these getters do no I/O;
/// they live in synchronous methods so the threading analyzers need no exception.
/// </summary>
internal static class Columns
{
    public static long? Int64OrNull(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetInt64(ordinal);

    public static byte[]? BytesOrNull(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : (byte[])row.GetValue(ordinal);

    public static string? StringOrNull(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
}
