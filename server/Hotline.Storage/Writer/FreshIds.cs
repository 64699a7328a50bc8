namespace Hotline.Storage;

/// <summary>
/// Says when a request id the writer has just drawn cannot be stored yet, so that checking it costs
/// no index lookup. A request id begins with the millisecond it was made in (<see cref="RequestIds"/>),
/// in characters that sort like the time, and this process is the only one writing the database
/// (the data directory's lock). So an id from a later millisecond than every id stored cannot be
/// stored, and one from the same millisecond as the newest can only be stored if this writer issued
/// it. Anything else is left to the lookup:
/// <list type="bullet">
/// <item>an id from an earlier millisecond than the newest (the clock stepped back, or the store
/// holds ids from before time prefixes, whose leading characters are random);</item>
/// <item>one from the newest stored id's millisecond, before this writer has moved past it, since
/// other ids from that millisecond may be stored that it never saw;</item>
/// <item>any in a millisecond that has already had <see cref="MaxRemembered"/> ids.</item>
/// </list>
/// Used by the writer thread only.
/// </summary>
internal sealed class FreshIds
{
    /// <summary>
    /// How many ids of one millisecond are remembered. A real clock moves on long before this many
    /// submits; a clock that stands still (a test's, or a broken one) would otherwise grow the set
    /// with every submit, so past it the writer goes back to looking every id up until the next millisecond.
    /// </summary>
    internal const int MaxRemembered = 4_096;

    private readonly HashSet<string> _issued = new(StringComparer.Ordinal);
    private string _newestPrefix;

    /// <summary>Whether <see cref="_issued"/> holds every id that may be stored with <see cref="_newestPrefix"/>.</summary>
    private bool _allKnown;

    /// <param name="newestStoredId">The greatest request id stored (in ordinal order), or null for none.</param>
    public FreshIds(string? newestStoredId)
    {
        _newestPrefix = newestStoredId is null ? "" : Prefix(newestStoredId);
        _allKnown = newestStoredId is null;
    }

    /// <summary>
    /// True when <paramref name="id"/> cannot be stored; false when only a lookup can tell. An id
    /// answered true is remembered as possibly stored from now on, since the caller is about to store it.
    /// </summary>
    public bool CertainlyUnused(string id)
    {
        var prefix = Prefix(id);
        var order = string.CompareOrdinal(prefix, _newestPrefix);
        if (order > 0)
        {
            _newestPrefix = prefix;
            _issued.Clear();
            _issued.Add(id);
            _allKnown = true;
            return true;
        }
        if (order < 0)
        {
            return false;
        }
        if (!_allKnown)
        {
            return false;
        }
        if (_issued.Count >= MaxRemembered)
        {
            _issued.Clear();
            _allKnown = false;
            return false;
        }
        return _issued.Add(id);
    }

    private static string Prefix(string id) => id.Length <= RequestIds.PrefixCharacters ? id : id[..RequestIds.PrefixCharacters];
}
