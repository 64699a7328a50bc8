using System.Globalization;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// The indexed <c>requester</c> field of a request: the keyed pseudonym of its normalised contact
/// handle followed by the request's number, <c>{base64url pseudonym}:{number, 19 digits}</c>. One
/// index then answers both "every request of this requester" (a prefix range) and "how many came
/// before this one" (a shorter range) from index keys alone, without loading a single document, so
/// a flood from one handle costs each new request a bounded scan instead of one that grows with the flood.
/// </summary>
internal static class RequesterIndex
{
    /// <inheritdoc cref="EarlierContacts.Cap"/>
    public const int EarlierContactsCap = EarlierContacts.Cap;

    public const string Field = RequestDocument.RequesterField;

    internal const string InRange = "$." + Field + " BETWEEN @0 AND @1";

    internal const string KeyOnly = "$." + Field;

    public static string Key(byte[] pseudonym, long number) => Prefix(pseudonym) + Pad(number);

    /// <summary>The pseudonym part, with its separator; null for a request without a contact handle.</summary>
    public static string? PrefixOf(BsonDocument doc) =>
        doc[Field] is { IsString: true } key ? key.AsString[..(key.AsString.LastIndexOf(':') + 1)] : null;

    /// <summary>Requests with the same requester and a lower number, up to <see cref="EarlierContactsCap"/>.</summary>
    public static int CountEarlier(ILiteCollection<BsonDocument> requests, string? prefix, long number)
    {
        if (prefix is null || number <= 1)
        {
            return 0;
        }
        // Selecting only the indexed field makes LiteDB answer from the index without reading documents.
        // A parameterised predicate string: LiteDB caches its compiled form, while a Query.Between
        // object inlines the values and is compiled again on every call (about 12 ms each, measured).
        var (from, to) = EarlierRange(prefix, number);
        return requests.Query()
            .Where(InRange, from, to)
            .Select(KeyOnly)
            .Limit(EarlierContactsCap)
            .ToDocuments()
            .Count();
    }

    /// <summary>
    /// The numbers of the requester's requests but <paramref name="exceptNumber"/>, newest first,
    /// below <paramref name="beforeNumber"/> when given: up to <paramref name="limit"/> + 1 (the one
    /// more tells the caller there is a next page), and how many there are in all. Index keys only:
    /// no document is read.
    /// </summary>
    public static (IReadOnlyList<long> Numbers, int Total) Related(ILiteCollection<BsonDocument> requests, string prefix, long exceptNumber,
        long? beforeNumber, int limit)
    {
        var upper = beforeNumber is { } before ? Math.Max(before - 1, 0) : long.MaxValue;
        // Walked downwards from the position and stopped after the page: +2, as the request itself may be among them.
        var numbers = requests.Query()
            .Where(InRange, prefix + Pad(0), prefix + Pad(upper))
            .OrderBy(KeyOnly, Query.Descending)
            .Select(KeyOnly)
            .Limit(limit + 2)
            .ToDocuments()
            .Select(d => NumberOf(d, prefix))
            .Where(n => n != exceptNumber)
            .Take(limit + 1)
            .ToList();
        var total = requests.Query()
            .Where(InRange, prefix + Pad(0), prefix + Pad(long.MaxValue))
            .Select(KeyOnly)
            .ToDocuments()
            .Count(d => NumberOf(d, prefix) != exceptNumber);
        return (numbers, total);
    }

    private static long NumberOf(BsonDocument key, string prefix) =>
        long.Parse(key[Field].AsString.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The requester's requests numbered above <paramref name="number"/>, whose earlier-contact counts include it.</summary>
    internal static (string From, string To) LaterRange(string prefix, long number) => (prefix + Pad(number + 1), prefix + Pad(long.MaxValue));

    /// <summary>The range of keys <see cref="CountEarlier"/> counts: the requester's requests numbered 1 to <paramref name="number"/> - 1.</summary>
    internal static (string From, string To) EarlierRange(string prefix, long number) => (prefix + Pad(0), prefix + Pad(number - 1));

    /// <summary>The pseudonym part of a key, with its separator: what every key of the requester begins with.</summary>
    public static string Prefix(byte[] pseudonym) =>
        Convert.ToBase64String(pseudonym).TrimEnd('=').Replace('+', '-').Replace('/', '_') + ":";

    private static string Pad(long number) => number.ToString("D19", CultureInfo.InvariantCulture);
}

/// <summary>
/// <see cref="RequesterIndex.CountEarlier"/> for code that counts many times in a row: the writer,
/// once for every request it creates, and a watch snapshot, once for every request of a page. The
/// predicate and the projection are parsed once, not twice per count (LiteDB tokenises and builds
/// the tree of a string expression on every call even when its compiled form is cached).
/// The parameters are set and read within one synchronous call, so, like <see cref="IdLookup"/>, an
/// instance must only ever be used from one thread: the writer's, or a page read's own.
/// </summary>
internal sealed class EarlierContactsCount(ILiteCollection<BsonDocument> requests)
{
    private readonly BsonExpression _inRange = BsonExpression.Create(RequesterIndex.InRange, BsonValue.Null, BsonValue.Null);
    private readonly BsonExpression _keyOnly = BsonExpression.Create(RequesterIndex.KeyOnly);

    /// <summary>
    /// The count stored with the request when it was created (kept true by purges, see
    /// <see cref="LiteDbRows.RemoveRequest"/>), or, for a request stored before counts were kept,
    /// counted now.
    /// </summary>
    public int Of(BsonDocument doc) =>
        doc[RequestDocument.EarlierContactsField] is { IsInt32: true } stored
            ? stored.AsInt32
            : Count(RequesterIndex.PrefixOf(doc), doc[RequestDocument.NumberField].AsInt64);

    /// <inheritdoc cref="RequesterIndex.CountEarlier"/>
    public int Count(string? prefix, long number)
    {
        if (prefix is null || number <= 1)
        {
            return 0;
        }
        var (from, to) = RequesterIndex.EarlierRange(prefix, number);
        _inRange.Parameters["0"] = from;
        _inRange.Parameters["1"] = to;
        return requests.Query()
            .Where(_inRange)
            .Select(_keyOnly)
            .Limit(RequesterIndex.EarlierContactsCap)
            .ToDocuments()
            .Count();
    }
}
