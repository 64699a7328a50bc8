namespace Hotline.Server;

/// <summary>
/// Where the server and its verbs read their settings, so an administrator's `--data-dir` or
/// `--Hotline:MasterKeyFile` means the same to every one of them: appsettings.json beside the
/// binary, then environment variables (Hotline__DataDirectory ...), then the command line, with
/// the same short switches.
/// </summary>
internal static class HotlineConfiguration
{
    /// <summary>Short switches and the settings they stand for.</summary>
    public static IDictionary<string, string> SwitchMappings => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--data-dir"] = "Hotline:DataDirectory",
        ["--listen"] = "Urls",
    };

    /// <summary>
    /// The sources the web host reads (WebApplication.CreateBuilder adds the same, and the host
    /// adds <see cref="SwitchMappings"/>), for a verb that runs without a host.
    /// </summary>
    public static IConfiguration ForVerb(IEnumerable<string> args) => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine([.. args], SwitchMappings)
        .Build();
}
