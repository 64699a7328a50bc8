using System.Globalization;

namespace Hotline.Domain;

/// <summary>
/// Parses ListRequests' `filter` and `order_by` (a small subset of AIP-160 and AIP-132):
/// terms joined by AND, each `field = value`, `field != value` or `field = (a OR b)`.
/// Errors are INVALID_ARGUMENT on the field that was bad.
/// </summary>
public static class QuerySyntax
{
    private static readonly Dictionary<string, FilterField> FilterFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["state"] = FilterField.State,
        ["urgency"] = FilterField.Urgency,
        ["channel"] = FilterField.Channel,
        ["assignee"] = FilterField.Assignee,
        ["language"] = FilterField.Language,
    };

    private static readonly Dictionary<string, SortField> SortFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["urgency"] = SortField.Urgency,
        ["create_time"] = SortField.CreateTime,
        ["update_time"] = SortField.UpdateTime,
        ["number"] = SortField.Number,
    };

    public static IReadOnlyList<FilterTerm> ParseFilter(string filter, string callerId)
    {
        var tokens = Tokenize(filter);
        var terms = new List<FilterTerm>();
        var i = 0;
        while (i < tokens.Count)
        {
            if (terms.Count > 0)
            {
                Expect(tokens, ref i, "AND");
            }
            var fieldName = Next(tokens, ref i, "a field name");
            if (!FilterFields.TryGetValue(fieldName, out var field))
            {
                Fail($"cannot filter on '{fieldName}'; use state, urgency, channel, assignee or language");
            }
            var op = Next(tokens, ref i, "= or !=");
            if (op is not ("=" or "!="))
            {
                Fail($"expected = or != after {fieldName}");
            }
            var values = new List<string>();
            if (i < tokens.Count && tokens[i] == "(")
            {
                i++;
                values.Add(NormaliseValue(field, Next(tokens, ref i, "a value"), callerId));
                while (i < tokens.Count && tokens[i].Equals("OR", StringComparison.Ordinal))
                {
                    i++;
                    values.Add(NormaliseValue(field, Next(tokens, ref i, "a value"), callerId));
                }
                Expect(tokens, ref i, ")");
            }
            else
            {
                values.Add(NormaliseValue(field, Next(tokens, ref i, "a value"), callerId));
            }
            terms.Add(new FilterTerm(field, op == "!=", values));
        }
        return terms;
    }

    public static IReadOnlyList<SortKey> ParseOrder(string orderBy)
    {
        if (string.IsNullOrWhiteSpace(orderBy))
        {
            return RequestQuery.DefaultOrder;
        }
        var keys = new List<SortKey>();
        foreach (var part in orderBy.Split(','))
        {
            var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var field = default(SortField);
            var valid = words.Length is 1 or 2 && SortFields.TryGetValue(words[0], out field)
                && (words.Length == 1 || words[1].Equals("desc", StringComparison.OrdinalIgnoreCase)
                                      || words[1].Equals("asc", StringComparison.OrdinalIgnoreCase));
            if (!valid)
            {
                DomainException.ThrowInvalid("order_by",
                    "must be a comma-separated list of urgency, create_time, update_time or number, each optionally followed by desc");
            }
            if (keys.Any(k => k.Field == field))
            {
                DomainException.ThrowInvalid("order_by", $"names {words[0]} twice");
            }
            keys.Add(new SortKey(field, words.Length == 2 && words[1].Equals("desc", StringComparison.OrdinalIgnoreCase)));
        }
        return keys;
    }

    private static string NormaliseValue(FilterField field, string raw, string callerId)
    {
        return field switch
        {
            FilterField.State => EnumValue<RequestState>(raw, "REQUEST_STATE_"),
            FilterField.Urgency => EnumValue<Urgency>(raw, "URGENCY_"),
            FilterField.Channel => EnumValue<Channel>(raw, "CHANNEL_"),
            FilterField.Assignee => raw switch
            {
                "" => "",
                "me" => callerId,
                _ when raw.StartsWith("operators/", StringComparison.Ordinal) && raw.Length > "operators/".Length => raw["operators/".Length..],
                _ => Fail<string>($"assignee must be operators/{{id}}, me or \"\", not '{raw}'"),
            },
            FilterField.Language => raw.ToLowerInvariant(),
            _ => raw,
        };
    }

    private static string EnumValue<TEnum>(string raw, string prefix) where TEnum : struct, Enum
    {
        var bare = raw.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? raw[prefix.Length..] : raw;
        var squashed = bare.Replace("_", "", StringComparison.Ordinal);
        // _UNSPECIFIED is accepted too: the contract documents it as a value that matches nothing.
        foreach (var value in Enum.GetValues<TEnum>())
        {
            var name = value.ToString();
            if (name.Equals(squashed, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }
        return Fail<string>($"'{raw}' is not a {typeof(TEnum).Name} value");
    }

    private static List<string> Tokenize(string filter)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < filter.Length)
        {
            var c = filter[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (c == '=')
            {
                tokens.Add("=");
                i++;
            }
            else if (c == '!' && i + 1 < filter.Length && filter[i + 1] == '=')
            {
                tokens.Add("!=");
                i += 2;
            }
            else if (c == '"')
            {
                var end = filter.IndexOf('"', i + 1);
                if (end < 0)
                {
                    Fail("has an unterminated quoted value");
                }
                tokens.Add(filter[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                var start = i;
                while (i < filter.Length && !char.IsWhiteSpace(filter[i]) && filter[i] is not ('(' or ')' or '=' or '!' or '"'))
                {
                    i++;
                }
                if (i == start)
                {
                    Fail(string.Create(CultureInfo.InvariantCulture, $"has an unexpected character at position {i}"));
                }
                tokens.Add(filter[start..i]);
            }
        }
        return tokens;
    }

    private static string Next(List<string> tokens, ref int i, string what)
    {
        if (i >= tokens.Count)
        {
            Fail($"ends where {what} was expected");
        }
        return tokens[i++];
    }

    private static void Expect(List<string> tokens, ref int i, string token)
    {
        if (Next(tokens, ref i, token) != token)
        {
            Fail($"expected {token} at term {i}");
        }
    }

    private static void Fail(string description) => DomainException.ThrowInvalid("filter", description);

    private static T Fail<T>(string description)
    {
        DomainException.ThrowInvalid("filter", description);
        return default;
    }
}
