using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// An index whose order is the leading key (or keys) of a list's order, walked from a page
/// token's position: a page then reads the requests from that position on, not the history.
/// </summary>
/// <remarks>
/// The index orders by a prefix of the list's order, so requests with equal index keys (a tie
/// group: same create time, say) may come out of it in another order than the list's. A walk
/// therefore reads each tie group whole and sorts what it read with <see cref="RequestQuery.Compare(HelpRequest, HelpRequest)"/>;
/// a tie group is at most one writer batch (<see cref="RequestStoreOptions.MaxBatchSize"/>, 256),
/// since the requests a batch creates or changes share its timestamp, so a walk costs a page plus
/// at most one batch, whatever is stored.
/// Offered: every order led by <c>number</c>, <c>create_time</c> or <c>update_time</c> (either
/// direction), and <c>urgency desc, create_time</c> (the default queue order) or its reverse
/// <c>urgency, create_time desc</c>, each followed by anything. Another order led by
/// <c>urgency</c> would need an index of its own per combination; it is sorted in memory instead
/// (see <see cref="LiteDbRequestStore.ListAsync"/>).
/// </remarks>
internal sealed class ListWalk
{
    private readonly Func<ListPosition, BsonValue> _keyAt;
    private readonly string _from;
    private readonly string _orderBy;

    private ListWalk(string field, bool descending, Func<ListPosition, BsonValue> keyAt)
    {
        Field = field;
        Descending = descending;
        _keyAt = keyAt;
        // The same source text as the index expression: that is how LiteDB matches a predicate and an order to an index.
        // Strings, not shared BsonExpression objects: an expression's parameters belong to the object, and lists run
        // concurrently; LiteDB caches the compiled form by source text.
        _orderBy = "$." + field;
        _from = _orderBy + (descending ? " <= @0" : " >= @0");
    }

    /// <summary>The indexed field of the request document.</summary>
    public string Field { get; }

    public bool Descending { get; }

    /// <summary>The walk that serves <paramref name="order"/>, or null when no index leads with its first key.</summary>
    public static ListWalk? For(IReadOnlyList<SortKey> order)
    {
        if (order.Count == 0)
        {
            // Only the tie-break is left: number, ascending.
            return new ListWalk(RequestDocument.NumberField, descending: false, p => p.Number);
        }
        var first = order[0];
        return first.Field switch
        {
            SortField.Number => new ListWalk(RequestDocument.NumberField, first.Descending, p => p.Number),
            SortField.CreateTime => new ListWalk(RequestDocument.CreateTimeField, first.Descending, p => p.CreateTime.UtcTicks),
            SortField.UpdateTime => new ListWalk(RequestDocument.UpdateTimeField, first.Descending, p => p.UpdateTime.UtcTicks),
            // The queue key ascending is urgency descending, then create time ascending.
            SortField.Urgency when order.Count > 1 && order[1].Field == SortField.CreateTime && order[1].Descending != first.Descending =>
                new ListWalk(RequestDocument.QueueKeyField, descending: !first.Descending, p => RequestDocument.QueueKey(p.Urgency, p.CreateTime)),
            _ => null,
        };
    }

    /// <summary>
    /// The requests in index order, from the tie group of <paramref name="from"/> on (inclusive:
    /// the rest of its group may come after it), lazily: the caller stops reading when its page
    /// is full. Documents without the field (the revision watermark) come first in ascending walks.
    /// Must be enumerated on one thread and disposed; it holds a LiteDB read snapshot meanwhile.
    /// </summary>
    public IEnumerable<BsonDocument> Documents(ILiteCollection<BsonDocument> requests, ListPosition? from)
    {
        var query = requests.Query();
        if (from is { } position)
        {
            query = query.Where(_from, _keyAt(position));
        }
        return query.OrderBy(BsonExpression.Create(_orderBy), Descending ? Query.Descending : Query.Ascending).ToEnumerable();
    }

    public BsonValue KeyOf(BsonDocument doc) => doc[Field];
}
