using System.Globalization;
using System.Text;

namespace Hotline.Storage;

/// <summary>
/// An exclusively opened lock file kept open for the life of the store. The operating system
/// releases it when the process dies, so a crash never leaves the directory locked.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "hotline.lock";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        FileStream file;
        try
        {
            file = new FileStream(path, options);
        }
        catch (IOException ex) when (IsHeldElsewhere(ex))
        {
            throw new DataDirectoryInUseException(dataDirectory, ex);
        }
        try
        {
            // The process id is for an administrator wondering who holds the directory; nothing reads it back.
            var owner = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            file.SetLength(0);
            file.Write(owner);
            file.Flush();
        }
        catch
        {
            file.Dispose();
            throw;
        }
        return new DataDirectoryLock(file);
    }

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Only a lock conflict means "another server"; a full or read-only disk must surface as itself.
    /// Windows reports a sharing or lock violation; Unix reports the errno of the refused flock (EWOULDBLOCK).
    /// </summary>
    private static bool IsHeldElsewhere(IOException exception) => exception.HResult switch
    {
        unchecked((int)0x80070020) or unchecked((int)0x80070021) => true,
        11 => OperatingSystem.IsLinux(),
        35 => OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD(),
        _ => false,
    };
}
