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
/// other ids from that millisecond may be stored that it never saw.</item>
/// </list>
/// Used by the writer thread only.
/// </summary>
internal sealed class FreshIds
{
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
    /// True when <paramref name="id"/> cannot be stored; false when only a lookup can tell. Either way
    /// it is remembered as possibly stored from now on: the caller is about to store it, or found it stored.
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
        var unused = _allKnown && !_issued.Contains(id);
        _issued.Add(id);
        return unused;
    }

    private static string Prefix(string id) => id.Length <= RequestIds.PrefixCharacters ? id : id[..RequestIds.PrefixCharacters];
}
