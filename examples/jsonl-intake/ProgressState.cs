using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hotline.JsonlIntake;

/// <summary>
/// How far a run got: the number of lines dealt with (accepted, duplicate or rejected) and a hash
/// chained over exactly those lines, so a resumed run can tell it is reading the same input. Kept
/// in a small owner-only file, replaced atomically and synced after every line, so a crash loses
/// at most the line in flight, and that one is resubmitted with the same request_id, which the
/// server answers as a duplicate. It holds counts and hashes only, never a line's content.
/// </summary>
internal sealed record ProgressState
{
    [JsonPropertyName("source")]
    public required string Source { get; init; }

    [JsonPropertyName("lines_done")]
    public long LinesDone { get; init; }

    /// <summary>SHA-256 chained over the lines done: h(n) = SHA-256(h(n-1) || line n), hex.</summary>
    [JsonPropertyName("chain")]
    public string Chain { get; init; } = Convert.ToHexStringLower(new byte[32]);

    [JsonPropertyName("accepted")]
    public long Accepted { get; init; }

    [JsonPropertyName("duplicates")]
    public long Duplicates { get; init; }

    [JsonPropertyName("rejected")]
    public long Rejected { get; init; }

    public static string Extend(string chain, string line)
    {
        var previous = Convert.FromHexString(chain);
        var bytes = Encoding.UTF8.GetBytes(line);
        var buffer = new byte[previous.Length + bytes.Length];
        previous.CopyTo(buffer, 0);
        bytes.CopyTo(buffer, previous.Length);
        return Convert.ToHexStringLower(SHA256.HashData(buffer));
    }

    /// <summary>The state in <paramref name="path"/>, or null when there is none yet.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a state file.</exception>
    public static ProgressState? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<ProgressState>(File.ReadAllText(path))
                ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a progress file of this tool: {e.Message}", e);
        }
    }

    /// <summary>Writes a temporary file beside <paramref name="path"/>, syncs it, renames it over, and syncs the directory.</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Options = FileOptions.WriteThrough,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var file = new FileStream(temporary, options))
        {
            file.Write(JsonSerializer.SerializeToUtf8Bytes(this));
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, full, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(full)!);
    }

    private static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        // Makes the rename itself durable. .NET cannot open a directory, so libc does.
        var fd = DirectorySync.Open(directory, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open {directory} to sync it (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (DirectorySync.Fsync(fd) != 0)
            {
                throw new IOException($"cannot sync {directory} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = DirectorySync.Close(fd);
        }
    }
}

internal static partial class DirectorySync
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    internal static partial int Fsync(int fd);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
