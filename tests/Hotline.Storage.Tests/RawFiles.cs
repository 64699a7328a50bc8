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
            .Select(path => (Path: path, Bytes: ReadUnlessHeldLock(path)))
            .Where(file => file.Bytes is not null)
            .Select(file => (file.Path, file.Bytes!))];

    private static byte[]? ReadUnlessHeldLock(string path)
    {
        try
        {
            return ReadShared(path);
        }
        catch (IOException) when (Path.GetFileName(path) == DataDirectoryLock.FileName)
        {
            return null;
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
