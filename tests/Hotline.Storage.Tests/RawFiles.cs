using System.Text;

namespace Hotline.Storage.Tests;

/// <summary>Looks at a data directory the way someone holding a copy of the disk would: every file, as raw bytes.</summary>
internal static class RawFiles
{
    /// <summary>Every file under <paramref name="directory"/> (data, log, lock, backups, temp files), with its bytes.</summary>
    /// <remarks>
    /// Beside a store that is still open, its lock file cannot be read (the store holds it
    /// exclusively, and it holds only the owner's process id); every other file can.
    /// </remarks>
    public static IReadOnlyList<(string Path, byte[] Bytes)> ReadAll(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(path) != DataDirectoryLock.FileName || !IsHeld(path))
            .Select(path => (path, ReadShared(path)))];

    private static bool IsHeld(string path)
    {
        try
        {
            ReadShared(path);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>A file's bytes as they are now, read beside a store that still has it open (as a copy of a live disk would be).</summary>
    public static byte[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The files in which <paramref name="marker"/> appears in UTF-8 or UTF-16 (either byte order).</summary>
    public static IReadOnlyList<string> FilesContaining(IReadOnlyList<(string Path, byte[] Bytes)> files, string marker)
    {
        var encodings = new[] { Encoding.UTF8.GetBytes(marker), Encoding.Unicode.GetBytes(marker), Encoding.BigEndianUnicode.GetBytes(marker) };
        return [.. files.Where(f => encodings.Any(e => f.Bytes.AsSpan().IndexOf(e) >= 0)).Select(f => f.Path)];
    }

    public static IReadOnlyList<string> FilesContaining(IReadOnlyList<(string Path, byte[] Bytes)> files, byte[] needle) =>
        [.. files.Where(f => f.Bytes.AsSpan().IndexOf(needle) >= 0).Select(f => f.Path)];
}
