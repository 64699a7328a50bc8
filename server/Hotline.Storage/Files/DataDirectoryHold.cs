namespace Hotline.Storage;

/// <summary>
/// A server's data directory when its store lives elsewhere (PostgreSQL): made owner-only and held
/// by the same lock file the LiteDB store takes, for the life of the server. Several servers share
/// one database, never one data directory: its admin socket, backup scratch file and keys belong
/// to one process, and a second server on it is refused as with LiteDB.
/// </summary>
public sealed class DataDirectoryHold : IDisposable
{
    private readonly DataDirectoryLock _lock;

    private DataDirectoryHold(DataDirectoryLock held, string fullPath)
    {
        _lock = held;
        FullPath = fullPath;
    }

    /// <summary>The directory's full path.</summary>
    public string FullPath { get; }

    /// <summary>Creates the directory if missing, takes group and other access away, and takes its lock.</summary>
    /// <exception cref="DataDirectoryInUseException">Another process holds the directory.</exception>
    public static DataDirectoryHold Acquire(string dataDirectory)
    {
        var (fullPath, _) = DataDirectory.Prepare(dataDirectory);
        return new DataDirectoryHold(DataDirectoryLock.Acquire(fullPath), fullPath);
    }

    public void Dispose() => _lock.Dispose();
}
