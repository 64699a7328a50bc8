namespace Hotline.Benchmarks;

/// <summary>The master key benchmark stores are sealed with: fixed, since the data is synthetic and thrown away.</summary>
internal static class BenchKeys
{
    public static byte[] MasterKey => [.. Enumerable.Range(0, 32).Select(i => (byte)(255 - i))];

    /// <summary>Writes the key where the server reads it: owner-only, beside the data directory.</summary>
    public static string WriteFile(string path)
    {
        File.WriteAllText(path, Convert.ToBase64String(MasterKey));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return path;
    }
}
