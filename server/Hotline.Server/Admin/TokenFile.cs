
namespace Hotline.Server.Admin;

/// <summary>Writes a token where only its owner can read it, whole or not at all.</summary>
public static class TokenFile
{
    public static void Write(string path, string token)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        OwnerOnlyFiles.EnsureDirectory(directory);
        // Written beside the target and renamed over it: a reader never sees half a token, and the
        // file never exists with wider permissions, not even for a moment.
        var temporary = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var file = OwnerOnlyFiles.CreateNew(temporary))
            using (var writer = new StreamWriter(file))
            {
                writer.Write(token + "\n");
                writer.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
