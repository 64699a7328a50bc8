namespace Hotline.Storage;

/// <summary>The folder holding the database, the change log and the lock file; readable by its owner alone.</summary>
internal static class DataDirectory
{
    public const string DatabaseFileName = "hotline.db";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the directory if missing and takes group and other access away from it.</summary>
    /// <returns>The full path, and whether an existing directory had to be tightened.</returns>
    public static (string FullPath, bool Tightened) Prepare(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(fullPath);
            return (fullPath, false);
        }
        if (!Directory.Exists(fullPath))
        {
            Directory.CreateDirectory(fullPath, OwnerOnly);
            return (fullPath, false);
        }
        // The files inside are created with the process umask; the directory is what keeps other users out.
        var mode = File.GetUnixFileMode(fullPath);
        if ((mode & ~OwnerOnly) == 0)
        {
            return (fullPath, false);
        }
        File.SetUnixFileMode(fullPath, mode & OwnerOnly);
        return (fullPath, true);
    }
}
