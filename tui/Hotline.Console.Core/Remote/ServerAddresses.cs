namespace Hotline.Console.Remote;

/// <summary>
/// The servers of one installation in the order the console tries them, and the one it is on.
/// The watch loop moves on (<see cref="MoveNext"/>) when the server it is on stops answering; every
/// call the console makes goes to <see cref="Current"/>, so actions follow the feed to the new server.
/// </summary>
/// <remarks>Safe from any thread: the loop moves it, the UI's calls and the status line read it.</remarks>
public sealed class ServerAddresses
{
    private int _current;

    public ServerAddresses(IReadOnlyList<Uri> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Count == 0)
        {
            throw new ArgumentException("At least one server address is needed.", nameof(addresses));
        }
        All = [.. addresses];
    }

    public IReadOnlyList<Uri> All { get; }

    public int Count => All.Count;

    /// <summary>Where <see cref="Current"/> is in <see cref="All"/>, from 0.</summary>
    public int CurrentIndex => Volatile.Read(ref _current);

    public Uri Current => All[CurrentIndex];

    /// <summary>Moves to the next address, after the last back to the first; returns it.</summary>
    public Uri MoveNext()
    {
        var next = (CurrentIndex + 1) % All.Count;
        Volatile.Write(ref _current, next);
        return All[next];
    }

    /// <summary>How the status line names a server: host and port, which is no secret (never a path, user or token).</summary>
    public static string Describe(Uri address) => address.IsDefaultPort ? address.Host : $"{address.Host}:{address.Port}";
}
