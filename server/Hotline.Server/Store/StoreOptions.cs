using Hotline.Storage;
using Hotline.Storage.Postgres;

namespace Hotline.Server.Store;

/// <summary>
/// The store's settings, at the top of the `Hotline` section: which store holds the data (the
/// embedded LiteDB file, or PostgreSQL), where this server's own files live, and where the master
/// key comes from (the same for both stores).
/// </summary>
public sealed class StoreOptions : ICheckedOptions
{
    public const string Section = "Hotline";

    /// <summary>The value of <see cref="Store"/> for the embedded LiteDB file in <see cref="DataDirectory"/>, the default.</summary>
    public const string LiteDbName = "litedb";

    /// <summary>The value of <see cref="Store"/> for a PostgreSQL database at <see cref="PostgresOptions.ConnectionString"/>.</summary>
    public const string PostgresName = "postgres";

    /// <summary>
    /// Which store holds the data: <see cref="LiteDbName"/> (default; one server, nothing to set up) or
    /// <see cref="PostgresName"/> (several servers on one database). Case does not matter.
    /// </summary>
    public string Store { get; set; } = LiteDbName;

    /// <summary>The PostgreSQL store's settings (<c>Hotline:Postgres</c>), used when <see cref="Store"/> is <see cref="PostgresName"/>.</summary>
    public PostgresOptions Postgres { get; set; } = new();

    /// <summary>True when <see cref="Store"/> names PostgreSQL.</summary>
    public bool UsesPostgres => string.Equals(Store?.Trim(), PostgresName, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Where this server's own files live, created (owner-only) if missing: its lock file, admin socket
    /// and backup keys, and with LiteDB the database itself. One per server process, also with
    /// PostgreSQL, where several servers share the database but never a data directory.
    /// </summary>
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

    /// <summary>
    /// LiteDB only: how many bytes LiteDB's log may hold before the writer folds it into the data file.
    /// Every acknowledged write is on disk in the log already; a larger log means fewer checkpoints
    /// and a longer replay after a crash. 0 checkpoints after every batch.
    /// </summary>
    public long CheckpointLogBytes { get; set; } = new RequestStoreOptions().CheckpointLogBytes;

    public IEnumerable<string> Problems()
    {
        var connectionString = Postgres.ConnectionString;
        if (!UsesPostgres && !string.Equals(Store?.Trim(), LiteDbName, StringComparison.OrdinalIgnoreCase))
        {
            // The value is a store name, never a secret: quoting it helps find the typo.
            yield return $"{Section}:Store must be {LiteDbName} (the default) or {PostgresName}; it is '{Store}'.";
        }
        else if (UsesPostgres && string.IsNullOrWhiteSpace(connectionString))
        {
            yield return $"{Section}:Store is {PostgresName} but {Section}:{PostgresOptions.Section}:ConnectionString is not set " +
                "(Hotline__Postgres__ConnectionString in the environment): give the database's connection string, such as " +
                "Host=db.example.org;Database=hotline;Username=hotline (the password best in a passfile, see docs/operations.md).";
        }
        else if (!UsesPostgres && !string.IsNullOrWhiteSpace(connectionString))
        {
            // Refused rather than ignored: a server meant to join the shared database must never
            // quietly take intake into a local file that no other server and no colleague sees.
            yield return $"{Section}:{PostgresOptions.Section}:ConnectionString is set but {Section}:Store is {LiteDbName}: " +
                $"set {Section}:Store to {PostgresName} to use that database, or remove the connection string.";
        }
        else if (UsesPostgres && connectionString is { } given && PostgresConnectionString.Problem(given) is { } problem)
        {
            yield return $"{Section}:{PostgresOptions.Section}:ConnectionString is not usable: {problem}.";
        }
        if (ChangeLogRetention < 0)
        {
            yield return $"{Section}:ChangeLogRetention must be 0 or more; it is {ChangeLogRetention}.";
        }
        if (CheckpointLogBytes < 0)
        {
            yield return $"{Section}:CheckpointLogBytes must be 0 or more; it is {CheckpointLogBytes}.";
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

    /// <summary>What the log and messages may say about where the data is: never a password.</summary>
    public string DescribeStore() => UsesPostgres
        ? "PostgreSQL " + PostgresConnectionString.Describe(Postgres.ConnectionString ?? "")
        : "LiteDB in " + Path.GetFullPath(DataDirectory);

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

/// <summary>The PostgreSQL store's settings, in <c>Hotline:Postgres</c>.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Postgres";

    /// <summary>
    /// An Npgsql connection string (Host, Port, Database, Username, and SSL Mode for a database on
    /// another machine). The password is best kept out of it, in a passfile (<c>Passfile=</c> or
    /// PGPASSFILE); it is never logged either way.
    /// </summary>
    public string? ConnectionString { get; set; }
}
