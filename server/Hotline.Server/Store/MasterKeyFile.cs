using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Hotline.Storage;

namespace Hotline.Server.Store;

/// <summary>
/// Where the master key comes from: a file (owner-only, outside the data directory, so a copy of
/// the data directory or its backups never carries the key that opens it) or an environment
/// variable. Every refusal says what is wrong and how to fix it, and never echoes key material.
/// </summary>
public static class MasterKeyFile
{
    public const string EnvironmentVariable = "HOTLINE_MASTER_KEY";

    /// <summary>
    /// The server's own process takes <see cref="EnvironmentVariable"/> at start and erases it from
    /// its initial environment (the host does that at start), after which the environment reads
    /// empty; the value taken is kept here for <see cref="Read(StoreOptions)"/>. Null elsewhere (tools, tests).
    /// </summary>
    internal static string? TakenFromEnvironment { get; set; }

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Where systemd puts the credentials a unit's <c>LoadCredential=</c> names (systemd.exec(5)).</summary>
    public const string CredentialsDirectoryVariable = "CREDENTIALS_DIRECTORY";

    /// <summary>The master key from wherever <paramref name="options"/> says, or null when none is configured.</summary>
    /// <exception cref="MasterKeyException">The key is configured twice, or its file is missing, open to others, inside the data directory or malformed.</exception>
    public static byte[]? Read(StoreOptions options) =>
        Read(options, Environment.GetEnvironmentVariable(CredentialsDirectoryVariable));

    /// <summary>As <see cref="Read(StoreOptions)"/>, with the credentials directory given (tests).</summary>
    internal static byte[]? Read(StoreOptions options, string? credentialsDirectory)
    {
        if (string.IsNullOrEmpty(options.MasterKeyCredential))
        {
            return Read(options.MasterKeyFile, options.DataDirectory);
        }
        if (!string.IsNullOrWhiteSpace(options.MasterKeyFile))
        {
            throw new MasterKeyException(
                "Both Hotline:MasterKeyCredential and Hotline:MasterKeyFile are set; set one, so there is no doubt which key the data is sealed with.");
        }
        if (!StoreOptions.IsCredentialName(options.MasterKeyCredential))
        {
            throw new MasterKeyException("Hotline:MasterKeyCredential must be the bare name of a systemd credential, such as master.key; it names no path.");
        }
        if (string.IsNullOrEmpty(credentialsDirectory))
        {
            throw new MasterKeyException(
                $"Hotline:MasterKeyCredential names the systemd credential {options.MasterKeyCredential}, but {CredentialsDirectoryVariable} is not set: " +
                $"start the server from a unit with `LoadCredential={options.MasterKeyCredential}:/etc/hotline/master.key` (deploy/hotline.service), " +
                "or use Hotline:MasterKeyFile outside systemd.");
        }
        return ReadSource(Path.Combine(credentialsDirectory, options.MasterKeyCredential), options.DataDirectory,
            $"Hotline:MasterKeyCredential ({options.MasterKeyCredential})");
    }

    /// <summary>The master key, or null when none is configured.</summary>
    /// <exception cref="MasterKeyException">The key is configured twice, or its file is missing, open to others, inside the data directory or malformed.</exception>
    public static byte[]? Read(string? keyFile, string dataDirectory) =>
        ReadSource(keyFile, dataDirectory, "Hotline:MasterKeyFile");

    private static byte[]? ReadSource(string? keyFile, string dataDirectory, string setting)
    {
        var fromEnvironment = TakenFromEnvironment ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
        // Child processes (and /proc/<pid>/environ readers after exec) should not inherit it.
        Environment.SetEnvironmentVariable(EnvironmentVariable, null);
        if (!string.IsNullOrWhiteSpace(keyFile))
        {
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                throw new MasterKeyException(
                    $"Both {setting} and {EnvironmentVariable} are set; set one, so there is no doubt which key the data is sealed with.");
            }
            return ReadFile(keyFile, dataDirectory);
        }
        return string.IsNullOrEmpty(fromEnvironment) ? null : Decode(fromEnvironment, EnvironmentVariable);
    }

    /// <summary>Writes a new random key to <paramref name="path"/>, owner-only; refuses to overwrite a file.</summary>
    public static void Generate(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        OwnerOnlyFiles.EnsureDirectory(directory);
        var key = RandomNumberGenerator.GetBytes(KeyLength);
        try
        {
            using var file = OwnerOnlyFiles.CreateNew(full);
            file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"));
            file.Flush(flushToDisk: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private const int KeyLength = 32;

    private static byte[] ReadFile(string keyFile, string dataDirectory)
    {
        var full = Path.GetFullPath(keyFile);
        if (!File.Exists(full))
        {
            throw new MasterKeyException(
                $"The master key file {full} does not exist. Create one with `Hotline.Server keygen --out {full}`, " +
                "or point Hotline:MasterKeyFile at the existing key.");
        }
        var real = RealPath(full);
        var data = RealPath(Path.GetFullPath(dataDirectory));
        var dataPrefix = Path.EndsInDirectorySeparator(data) ? data : data + Path.DirectorySeparatorChar;
        if (real.StartsWith(dataPrefix, StringComparison.Ordinal) || real == data)
        {
            throw new MasterKeyException(
                $"The master key file {full} is inside the data directory {data}: anyone with a copy of the data would hold its key. " +
                "Move it elsewhere (such as ~/.config/hotline/master.key) and point Hotline:MasterKeyFile at it.");
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(real) & GroupOrOther) != 0)
        {
            throw new MasterKeyException(
                $"The master key file {full} can be read or written by other users; make it owner-only with `chmod 600 {full}`.");
        }
        // Read as bytes and erased after decoding: a string of the key's base64 could never be erased.
        var text = File.ReadAllBytes(real);
        try
        {
            return Decode(text, full);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(text);
        }
    }

    private static byte[] Decode(string text, string source)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        try
        {
            return Decode(utf8, source);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(utf8);
        }
    }

    private static byte[] Decode(ReadOnlySpan<byte> utf8, string source)
    {
        var encoded = utf8.Trim(" \t\r\n"u8);
        var bytes = new byte[KeyLength + 3];
        try
        {
            if (Base64.DecodeFromUtf8(encoded, bytes, out var consumed, out var written) != OperationStatus.Done
                || consumed != encoded.Length || written != KeyLength)
            {
                throw MasterKeyException.Malformed($"{source} does not hold the base64 encoding of {KeyLength} bytes");
            }
            return bytes[..KeyLength];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Follows symbolic links along the whole path, so a link cannot hide a key inside the data directory.</summary>
    private static string RealPath(string path)
    {
        var existing = path;
        var rest = new Stack<string>();
        while (!Path.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            rest.Push(Path.GetFileName(existing));
            existing = parent;
        }
        var root = Path.GetPathRoot(existing)!;
        var parts = existing[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var resolved = root;
        foreach (var part in parts)
        {
            resolved = Path.Combine(resolved, part);
            var info = new FileInfo(resolved);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                resolved = RealPath(target.FullName);
            }
        }
        while (rest.Count > 0)
        {
            resolved = Path.Combine(resolved, rest.Pop());
        }
        return resolved;
    }
}
