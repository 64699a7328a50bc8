namespace Hotline.Server;

/// <summary>
/// The secrets the server's commands write (tokens, the master key, TLS keys) are readable by
/// their owner only from the moment they exist, never widened afterwards; and a missing folder
/// for them is created owner-only too.
/// </summary>
internal static class OwnerOnlyFiles
{
    /// <summary>Creates <paramref name="directory"/> (and any missing parents) owner-only; an existing one is left as it is.</summary>
    public static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Creates <paramref name="path"/>, owner-only and unshared; refuses (IOException) when it exists.</summary>
    public static FileStream CreateNew(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return new FileStream(path, options);
    }
}
