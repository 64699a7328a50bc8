namespace Hotline.Server.Store;

/// <summary>The store's settings, at the top of the `Hotline` section: where the data lives and where its key comes from.</summary>
public sealed class StoreOptions : ICheckedOptions
{
    public const string Section = "Hotline";

    /// <summary>Where the database and its lock file live; created (owner-only) if missing.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    /// <summary>
    /// A file holding the master key (base64 of 32 random bytes): owner-only, outside the data
    /// directory. The alternative is the HOTLINE_MASTER_KEY environment variable; set one, not both.
    /// </summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>
    /// The name of a systemd credential holding the master key (<c>LoadCredential=NAME:PATH</c> in the
    /// unit), read from <c>$CREDENTIALS_DIRECTORY/NAME</c>: a file only this service can read, in
    /// memory, never in the environment. Set this or <see cref="MasterKeyFile"/> or HOTLINE_MASTER_KEY, one of them.
    /// </summary>
    public string? MasterKeyCredential { get; set; }

    /// <summary>How many changes the change log keeps for resuming watchers.</summary>
    public int ChangeLogRetention { get; set; } = 100_000;

    public IEnumerable<string> Problems()
    {
        if (ChangeLogRetention < 0)
        {
            yield return $"{Section}:ChangeLogRetention must be 0 or more; it is {ChangeLogRetention}.";
        }
        if (MasterKeyCredential is { } credential && !IsCredentialName(credential))
        {
            yield return $"{Section}:MasterKeyCredential must be the bare name of a systemd credential (such as master.key: " +
                "letters, digits, '.', '_', '-', not starting with '.'); it names no path.";
        }
    }

    /// <summary>The settings as <paramref name="configuration"/> gives them, for code that runs before (or without) a host.</summary>
    public static StoreOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<StoreOptions>() ?? new StoreOptions();

    /// <summary>A plain file name, so the setting can only ever point inside the credentials directory.</summary>
    internal static bool IsCredentialName(string name) =>
        name.Length is > 0 and <= 255 && name[0] != '.' &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static string DefaultDataDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(root, "hotline");
    }
}
