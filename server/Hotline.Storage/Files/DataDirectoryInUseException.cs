namespace Hotline.Storage;

/// <summary>
/// Another server (or another store in this process) holds the data directory's lock file.
/// Two writers on one LiteDB file would corrupt it, so the second one is refused.
/// </summary>
public sealed class DataDirectoryInUseException : IOException
{
    public DataDirectoryInUseException(string dataDirectory, Exception? innerException = null)
        : base($"Refusing to open data directory '{dataDirectory}': another Hotline server already uses it " +
            $"(its lock file {DataDirectoryLock.FileName} is held). A second server on the same data directory is refused; " +
            "stop the other one or give this one its own directory.", innerException)
    {
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }
}
