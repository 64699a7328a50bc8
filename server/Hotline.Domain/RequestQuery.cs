namespace Hotline.Domain;

/// <summary>A field requests can be filtered on.</summary>
public enum FilterField
{
    State,
    Urgency,
    Channel,
    Assignee,
    Language,
}

/// <summary>A field requests can be ordered by.</summary>
public enum SortField
{
    Urgency,
    CreateTime,
    UpdateTime,
    Number,
}

/// <summary>`field = (a OR b)` or `field != ...`: matches when the field has (or has not) one of the values.</summary>
/// <param name="Values">Normalised: enum names as the domain spells them, operator ids, lower-case language tags; "" for "no assignee".</param>
public sealed record FilterTerm(FilterField Field, bool Negated, IReadOnlyList<string> Values)
{
    public bool Matches(HelpRequest request)
    {
        var actual = Field switch
        {
            FilterField.State => request.State.ToString(),
            FilterField.Urgency => request.Urgency.ToString(),
            FilterField.Channel => request.Channel.ToString(),
            FilterField.Assignee => request.Assignee ?? "",
            FilterField.Language => request.Language.ToLowerInvariant(),
            _ => throw new InvalidOperationException($"Unknown filter field {Field}."),
        };
        return Values.Contains(actual, StringComparer.Ordinal) != Negated;
    }
}

public sealed record SortKey(SortField Field, bool Descending);

/// <summary>
/// Where a request stands in every offered order: the values of the fields requests are sorted by,
/// number last. A keyset page token is the position of the last request of the previous page, so
/// the next page starts after it however many requests were inserted or removed before it.
/// Clear fields only: nothing here is request content.
/// </summary>
public readonly record struct ListPosition(Urgency Urgency, DateTimeOffset CreateTime, DateTimeOffset UpdateTime, long Number)
{
    public static ListPosition Of(HelpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(request.Urgency, request.CreateTime, request.UpdateTime, request.Number);
    }
}

/// <summary>What ListRequests asks for, already parsed and checked.</summary>
public sealed record RequestQuery
{
    public static readonly IReadOnlyList<SortKey> DefaultOrder =
        [new SortKey(SortField.Urgency, Descending: true), new SortKey(SortField.CreateTime, Descending: false)];

    public IReadOnlyList<FilterTerm> Terms { get; init; } = [];
    public IReadOnlyList<SortKey> Order { get; init; } = DefaultOrder;

    /// <summary>The page starts after this position (see <see cref="ListPosition"/>); null for the first page.</summary>
    public ListPosition? After { get; init; }

    public int Limit { get; init; } = 100;

    public bool Matches(HelpRequest request) => Terms.All(t => t.Matches(request));

    /// <summary>The states a match can be in, or null when any state can match; lets a store use its state index.</summary>
    public IReadOnlySet<RequestState>? PossibleStates()
    {
        IEnumerable<RequestState> states = Enum.GetValues<RequestState>().Where(s => s != RequestState.Unspecified);
        var constrained = false;
        foreach (var term in Terms.Where(t => t.Field == FilterField.State))
        {
            constrained = true;
            states = states.Where(s => term.Values.Contains(s.ToString()) != term.Negated).ToList();
        }
        return constrained ? states.ToHashSet() : null;
    }

    /// <summary>Orders by <see cref="Order"/>, then by number so paging is stable.</summary>
    public int Compare(HelpRequest a, HelpRequest b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Compare(ListPosition.Of(a), ListPosition.Of(b));
    }

    /// <inheritdoc cref="Compare(HelpRequest, HelpRequest)"/>
    public int Compare(ListPosition a, ListPosition b)
    {
        foreach (var key in Order)
        {
            var c = key.Field switch
            {
                SortField.Urgency => a.Urgency.CompareTo(b.Urgency),
                SortField.CreateTime => a.CreateTime.CompareTo(b.CreateTime),
                SortField.UpdateTime => a.UpdateTime.CompareTo(b.UpdateTime),
                SortField.Number => a.Number.CompareTo(b.Number),
                _ => 0,
            };
            if (c != 0)
            {
                return key.Descending ? -c : c;
            }
        }
        return a.Number.CompareTo(b.Number);
    }
}

/// <summary>One page of a query's results, and the store revision they were read at.</summary>
/// <param name="TotalSize">
/// How many requests match in all, when the store could count them without reading in proportion
/// to the stored history; null when it did not count.
/// </param>
/// <param name="Next">Where the next page starts (<see cref="RequestQuery.After"/>); null on the last page.</param>
public sealed record RequestPage(IReadOnlyList<HelpRequest> Requests, int? TotalSize, long Revision, ListPosition? Next);
