namespace Hotline.Tests;

/// <summary>
/// The server and console as built beside the test binaries (same configuration and framework),
/// for the tests that run the real processes. Compiled into each test project that needs it.
/// </summary>
internal static class BuiltBinaries
{
    public static string Server { get; } = Find("server", "Hotline.Server", "Hotline.Server.dll");

    public static string Console { get; } = Find("tui", "Hotline.Console", "hotline-console.dll");

    /// <summary>The benchmark program, which CI runs at toy sizes so a broken benchmark is caught.</summary>
    public static string Benchmarks => Find("tests", "Hotline.Benchmarks", "Hotline.Benchmarks.dll");

    private static string Find(string folder, string project, string dll)
    {
        // Tests run from tests/<test project>/bin/<configuration>/<framework>.
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Hotline.sln")))
        {
            root = root.Parent;
        }
        if (root is null)
        {
            throw new InvalidOperationException("Hotline.sln not found above the test binaries.");
        }
        var path = Path.Combine(root.FullName, folder, project, "bin", configuration, framework, dll);
        return File.Exists(path) ? path : throw new InvalidOperationException($"Build the solution first: {path} is missing.");
    }
}
