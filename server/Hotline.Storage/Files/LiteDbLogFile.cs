using System.Runtime.InteropServices;
using LiteDB;
using Microsoft.Win32.SafeHandles;

namespace Hotline.Storage;

/// <summary>
/// LiteDB's write-ahead log beside a data file: flushed to make each batch durable
/// (<see cref="LiteDbEngine"/>), and always on disk before a checkpoint copies it over the data file.
/// </summary>
/// <remarks>
/// LiteDB 5.0.21 writes its log through the OS and never flushes it; a checkpoint then copies the
/// log's pages over the data file in place and flushes only the data file. A power cut during that
/// copy can leave some pages new and some old (pages that also hold requests acknowledged long
/// before), while the log that could repair them was still in the OS's memory and is gone. With the
/// log on disk first, the next open replays it over whatever the cut left: LiteDB's own recovery,
/// and copying a page a second time is harmless. The directory is flushed once as well, so the log
/// file's (and a new data file's) name survives the cut too.
/// </remarks>
internal sealed partial class LiteDbLogFile
{
    private const int InvalidArgument = 22;

    private readonly string _path;
    private readonly string _directory;

    private LiteDbLogFile(string path, string directory)
    {
        _path = path;
        _directory = directory;
    }

    /// <summary>The log LiteDB keeps beside <paramref name="databaseFile"/> (its <c>name-log.ext</c>).</summary>
    public static LiteDbLogFile Beside(string databaseFile)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databaseFile)) ?? throw new ArgumentException("The database file has no directory.", nameof(databaseFile));
        var name = Path.GetFileNameWithoutExtension(databaseFile) + "-log" + Path.GetExtension(databaseFile);
        return new LiteDbLogFile(Path.Combine(directory, name), directory);
    }

    /// <summary>
    /// The log on disk, then LiteDB's checkpoint (which copies it into the data file and flushes that).
    /// A null <paramref name="log"/> (a store on streams its caller owns) is the checkpoint alone.
    /// </summary>
    public static void Checkpoint(LiteDatabase database, LiteDbLogFile? log)
    {
        log?.Flush();
        database.Checkpoint();
    }

    /// <summary>The directory's entries on disk: the log's and the data file's names, once after opening.</summary>
    public void FlushDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows keeps directory entries with the file's own metadata; FlushFileBuffers on the file is enough.
            return;
        }
        var descriptor = Open(_directory, 0 /* O_RDONLY */);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open the data directory to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            // EINVAL: a file system that cannot flush a directory (it keeps none to flush); anything else is a failing disk.
            if (Fsync(descriptor) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != InvalidArgument)
            {
                throw new IOException($"Could not flush the data directory (errno {errno}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>The log's size now: what the next checkpoint would copy; 0 while LiteDB has not created it.</summary>
    public long Length => new FileInfo(_path) is { Exists: true } log ? log.Length : 0;

    /// <summary>Puts the log on disk; nothing to do while LiteDB has not created one.</summary>
    public void Flush()
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return;
        }
        using (handle)
        {
            RandomAccess.FlushToDisk(handle);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
