using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>
/// The queue table's rows kept in order as changes arrive: a changed request is taken out and put
/// back by binary search, so one change costs a search over the rows, not a filter and sort of
/// every request loaded. <see cref="Reset"/> builds the rows afresh (a snapshot, a new filter).
/// </summary>
/// <remarks>
/// The order is total (the number breaks every tie), so the request shown in a row is found again
/// by searching with the version that was shown. Not thread-safe: the UI thread owns it.
/// </remarks>
public sealed class QueueRowList
{
    private readonly Dictionary<string, HelpRequest> _shown = new(StringComparer.Ordinal);
    private List<HelpRequest> _rows = [];
    private QueueFilter _filter = QueueFilter.Default;
    private string? _me;
    private DateTimeOffset _startOfToday;
    private IComparer<HelpRequest> _order = QueueOrder;

    private static readonly IComparer<HelpRequest> QueueOrder = Comparer<HelpRequest>.Create(QueueRows.QueueOrder);
    private static readonly IComparer<HelpRequest> ClosedOrder = Comparer<HelpRequest>.Create(QueueRows.ClosedOrder);

    public IReadOnlyList<HelpRequest> Rows => _rows;

    /// <summary>
    /// Whether the rows were filtered for this operator and this day: "mine" depends on who is
    /// signed in and "closed today" on the local midnight, so either moving needs a <see cref="Reset"/>.
    /// </summary>
    public bool IsFor(string? me, DateTimeOffset startOfToday) => _me == me && _startOfToday == startOfToday;

    /// <summary>Filters and sorts every request: after a snapshot, a new filter, or a new day.</summary>
    public void Reset(IEnumerable<HelpRequest> requests, QueueFilter filter, string? me, DateTimeOffset startOfToday)
    {
        _filter = filter;
        _me = me;
        _startOfToday = startOfToday;
        _order = filter.Scope == QueueScope.ClosedToday ? ClosedOrder : QueueOrder;
        _rows = QueueRows.Select(requests, filter, me, startOfToday);
        _shown.Clear();
        foreach (var row in _rows)
        {
            _shown[row.Name] = row;
        }
    }

    /// <summary>
    /// Puts the current version of one request in its place: <paramref name="now"/> is null when
    /// it was deleted. Returns whether the rows changed.
    /// </summary>
    public bool Update(string name, HelpRequest? now)
    {
        var changed = false;
        if (_shown.Remove(name, out var before))
        {
            _rows.RemoveAt(IndexOf(before));
            changed = true;
        }
        if (now is not null && _filter.Matches(now, _me, _startOfToday))
        {
            var at = _rows.BinarySearch(now, _order);
            _rows.Insert(at < 0 ? ~at : at, now);
            _shown[name] = now;
            changed = true;
        }
        return changed;
    }

    /// <summary>The row showing the request called <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => _shown.TryGetValue(name, out var shown) ? IndexOf(shown) : -1;

    private int IndexOf(HelpRequest shown)
    {
        var at = _rows.BinarySearch(shown, _order);
        // Two requests never compare equal (the number breaks ties); the scan is only a safety net.
        return at >= 0 && ReferenceEquals(_rows[at], shown) ? at : _rows.FindIndex(r => ReferenceEquals(r, shown));
    }
}
