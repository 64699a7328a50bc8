using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Hotline.Server.Hosting;

/// <summary>
/// The kernel keeps the environment a process was started with (the strings exec copied onto its
/// stack) readable in /proc/PID/environ for the whole life of the process, whatever the process
/// does with its own copy. <see cref="Take"/> reads a variable and then overwrites its value in
/// that block, so /proc/PID/environ shows it empty. It must run before
/// <see cref="ProcessHardening.Apply"/>: once the process is not dumpable, /proc/self/mem belongs to root.
/// </summary>
internal static class InitialEnvironment
{
    /// <summary>Fields of /proc/PID/stat after "pid (comm) " that hold the start and end of the initial environment (fields 50 and 51).</summary>
    private const int EnvStartField = 47;
    private const int EnvEndField = 48;

    /// <summary>The value of <paramref name="name"/>, or null; and why it could not be erased from the initial environment, if it could not.</summary>
    public static (string? Value, string? Problem) Take(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(value) || !OperatingSystem.IsLinux())
        {
            return (value, null);
        }
        try
        {
            return (value, Erase(name) ? null : $"{name} was not found in /proc/self/environ to erase");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or NotSupportedException or ArgumentException)
        {
            return (value, $"{name} could not be erased from /proc/self/environ: {FailureDescription.TypeOf(ex)}");
        }
    }

    private static bool Erase(string name)
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var start = long.Parse(fields[EnvStartField], CultureInfo.InvariantCulture);
        var end = long.Parse(fields[EnvEndField], CultureInfo.InvariantCulture);
        using var memory = File.OpenHandle("/proc/self/mem", FileMode.Open, FileAccess.ReadWrite);
        var block = new byte[end - start];
        try
        {
            var read = RandomAccess.Read(memory, block, start);
            var prefix = Encoding.ASCII.GetBytes(name + "=");
            var erased = false;
            for (var entry = 0; entry < read;)
            {
                var length = Array.IndexOf(block, (byte)0, entry, read - entry) is var nul and >= 0 ? nul - entry : read - entry;
                if (block.AsSpan(entry, length).StartsWith(prefix))
                {
                    var valueLength = length - prefix.Length;
                    RandomAccess.Write(memory, new byte[valueLength], start + entry + prefix.Length);
                    erased = true;
                }
                entry += length + 1;
            }
            return erased;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(block);
        }
    }
}
