namespace Hotline.Server.Backup;

/// <summary>
/// Files the backup verbs write: owner-only from the moment they exist, written under a temporary
/// name beside the target and renamed onto it only when complete and synced, so a half-written
/// backup never carries the name of a backup; an existing file is never overwritten.
/// </summary>
public static class BackupFiles
{
    /// <summary>Runs <paramref name="produce"/> with a sink writing to a new file, which becomes <paramref name="path"/> when it succeeds.</summary>
    /// <exception cref="IOException"><paramref name="path"/> exists already, or cannot be written.</exception>
    public static async Task<T> WriteNewAsync<T>(string path, Func<Func<ReadOnlyMemory<byte>, CancellationToken, Task>, Task<T>> produce)
    {
        var full = Path.GetFullPath(path);
        if (Path.Exists(full))
        {
            throw new IOException($"{full} exists already; a backup never overwrites a file");
        }
        var temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".partial");
        var complete = false;
        try
        {
            T result;
            await using (var file = OwnerOnlyFiles.CreateNew(temp))
            {
                result = await produce((piece, cancellationToken) => file.WriteAsync(piece, cancellationToken).AsTask());
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: false);
            complete = true;
            return result;
        }
        finally
        {
            if (!complete)
            {
                File.Delete(temp);
            }
        }
    }
}
