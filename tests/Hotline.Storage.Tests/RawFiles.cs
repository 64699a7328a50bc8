using System.Text;

namespace Hotline.Storage.Tests;

/// <summary>Looks at a data directory the way someone holding a copy of the disk would: every file, as raw bytes.</summary>
internal static class RawFiles
{
    /// <summary>Every file under <paramref name="directory"/> (data, log, lock, backups, temp files), with its bytes.</summary>
    public static IReadOnlyList<(string Path, byte[] Bytes)> ReadAll(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(path => (path, File.ReadAllBytes(path)))];

    /// <summary>The files in which <paramref name="marker"/> appears in UTF-8 or UTF-16 (either byte order).</summary>
    public static IReadOnlyList<string> FilesContaining(IReadOnlyList<(string Path, byte[] Bytes)> files, string marker)
    {
        var encodings = new[] { Encoding.UTF8.GetBytes(marker), Encoding.Unicode.GetBytes(marker), Encoding.BigEndianUnicode.GetBytes(marker) };
        return [.. files.Where(f => encodings.Any(e => f.Bytes.AsSpan().IndexOf(e) >= 0)).Select(f => f.Path)];
    }

    public static IReadOnlyList<string> FilesContaining(IReadOnlyList<(string Path, byte[] Bytes)> files, byte[] needle) =>
        [.. files.Where(f => f.Bytes.AsSpan().IndexOf(needle) >= 0).Select(f => f.Path)];
}
