using System.Globalization;
using System.Text;
using Hotline.Domain;
using Npgsql;
using SortKey = Hotline.Domain.SortKey;

namespace Hotline.Storage.Postgres;

/// <summary>
/// Turns a <see cref="RequestQuery"/> into one SQL query over the clear columns that returns the
/// page and one more row (to know whether there is a next page), in the query's order.
/// </summary>
/// <remarks>
/// The order becomes a list of ascending key expressions, a descending field negated
/// (<c>-r.create_ticks</c>), closed by the request number as <see cref="RequestQuery.Compare(ListPosition, ListPosition)"/>
/// does; the page token's position becomes one row comparison over the same expressions
/// (<c>(e1, e2, e3) &gt; (@k0, @k1, @k2)</c>). PostgreSQL turns a row comparison over the columns of an
/// index into a range scan of that index, so a page is found by reading the page, not the rows
/// before it; the schema has an index for each offered order, and one per order behind a state.
/// States and other enum values are written as literal integers (they come from enum names the
/// domain parsed, never from client text), so the planner can prove a list of open states implies
/// the partial indexes' <c>state &lt;&gt; 4</c>. Client text (operator ids, language tags) is
/// always a parameter.
/// </remarks>
internal static class ListSql
{
    /// <summary>A query for the page of <paramref name="query"/>, selecting <see cref="RequestRows.Columns"/> then the wrapped data key.</summary>
    public static NpgsqlCommand Page(RequestQuery query, NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        ArgumentNullException.ThrowIfNull(query);
        var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        var keys = SortExpressions(query.Order);
        var sql = new StringBuilder("SELECT ").Append(RequestRows.Columns).Append(", k.wrapped FROM requests r LEFT JOIN data_keys k ON k.request_id = r.id WHERE ");
        sql.Append(Filter(query, command));
        if (query.After is { } after)
        {
            sql.Append(" AND (").AppendJoin(", ", keys.Select(k => k.Expression)).Append(") > (");
            for (var i = 0; i < keys.Count; i++)
            {
                var name = "k" + i.ToString(CultureInfo.InvariantCulture);
                command.Parameters.AddWithValue(name, keys[i].ValueOf(after));
                sql.Append(i == 0 ? "@" : ", @").Append(name);
            }
            sql.Append(')');
        }
        sql.Append(" ORDER BY ").AppendJoin(", ", keys.Select(k => k.Expression));
        command.Parameters.AddWithValue("limit", Math.Max(query.Limit, 0) + 1);
        sql.Append(" LIMIT @limit");
        command.CommandText = sql.ToString();
        return command;
    }

    /// <summary>A query counting every match of <paramref name="query"/>'s filter, ignoring its page token.</summary>
    public static NpgsqlCommand Count(RequestQuery query, NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        ArgumentNullException.ThrowIfNull(query);
        var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        command.CommandText = "SELECT count(*) FROM requests r WHERE " + Filter(query, command);
        return command;
    }

    /// <summary>
    /// The sort keys, each an ascending expression: <see cref="RequestQuery.Order"/> up to the number
    /// (after which nothing can differ), closed by the number ascending when it is not in the order.
    /// </summary>
    internal static IReadOnlyList<SortExpression> SortExpressions(IReadOnlyList<SortKey> order)
    {
        var keys = new List<SortExpression>();
        foreach (var key in order)
        {
            keys.Add(new SortExpression(key.Field, key.Descending));
            if (key.Field == SortField.Number)
            {
                return keys;
            }
        }
        keys.Add(new SortExpression(SortField.Number, Descending: false));
        return keys;
    }

    private static string Filter(RequestQuery query, NpgsqlCommand command)
    {
        var conditions = new List<string>();
        var parameter = 0;
        foreach (var term in query.Terms)
        {
            var condition = term.Field switch
            {
                FilterField.State => In("r.state", term.Values.Select(v => (int)Enum.Parse<RequestState>(v))),
                FilterField.Urgency => In("r.urgency", term.Values.Select(v => (int)Enum.Parse<Urgency>(v))),
                FilterField.Channel => In("r.channel", term.Values.Select(v => (int)Enum.Parse<Channel>(v))),
                FilterField.Assignee => AnyOf("COALESCE(r.assignee, '')", term.Values, command, ref parameter),
                FilterField.Language => AnyOf("lower(r.language)", term.Values, command, ref parameter),
                _ => throw new InvalidOperationException($"Unknown filter field {term.Field}."),
            };
            conditions.Add(term.Negated ? "NOT (" + condition + ")" : condition);
        }
        return conditions.Count == 0 ? "TRUE" : string.Join(" AND ", conditions);
    }

    private static string In(string column, IEnumerable<int> values)
    {
        var list = values.Distinct().Order().ToList();
        return list.Count == 0
            ? "FALSE"
            : column + " IN (" + string.Join(", ", list.Select(v => v.ToString(CultureInfo.InvariantCulture))) + ")";
    }

    private static string AnyOf(string expression, IReadOnlyList<string> values, NpgsqlCommand command, ref int parameter)
    {
        var name = "f" + parameter.ToString(CultureInfo.InvariantCulture);
        parameter++;
        command.Parameters.AddWithValue(name, values.ToArray());
        return expression + " = ANY(@" + name + ")";
    }
}

/// <summary>One ascending key of a list's order: the column, negated when the order is descending.</summary>
internal readonly record struct SortExpression(SortField Field, bool Descending)
{
    public string Expression => (Descending ? "(-" : "(") + Column + ")";

    private string Column => Field switch
    {
        SortField.Urgency => "r.urgency",
        SortField.CreateTime => "r.create_ticks",
        SortField.UpdateTime => "r.update_ticks",
        SortField.Number => "r.number",
        _ => throw new InvalidOperationException($"Unknown sort field {Field}."),
    };

    /// <summary>The value of this key at <paramref name="position"/>, as compared by <see cref="Expression"/>.</summary>
    public long ValueOf(ListPosition position)
    {
        long value = Field switch
        {
            SortField.Urgency => (int)position.Urgency,
            SortField.CreateTime => position.CreateTime.UtcTicks,
            SortField.UpdateTime => position.UpdateTime.UtcTicks,
            SortField.Number => position.Number,
            _ => throw new InvalidOperationException($"Unknown sort field {Field}."),
        };
        return Descending ? -value : value;
    }
}
