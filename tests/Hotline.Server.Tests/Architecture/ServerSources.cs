namespace Hotline.Server.Tests.Architecture;

/// <summary>The C# sources of Hotline.Server, read from the checkout the tests were built from, for tests of rules about the code itself.</summary>
internal static class ServerSources
{
    private static readonly Lazy<IReadOnlyList<ServerSource>> Files = new(Read);

    /// <summary>Every source file but generated ones; <see cref="ServerSource.Folder"/> is null for top-level files.</summary>
    public static IReadOnlyList<ServerSource> All => Files.Value;

    private static IReadOnlyList<ServerSource> Read()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Hotline.sln")))
        {
            directory = directory.Parent;
        }
        Assert.NotNull(directory);
        var project = Path.Combine(directory.FullName, "server", "Hotline.Server");
        var sources = Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(project, path).Replace('\\', '/'))
            .Where(path => !path.StartsWith("obj/", StringComparison.Ordinal) && !path.StartsWith("bin/", StringComparison.Ordinal))
            .Select(path =>
            {
                var slash = path.IndexOf('/', StringComparison.Ordinal);
                return new ServerSource(path, slash < 0 ? null : path[..slash], File.ReadAllText(Path.Combine(project, path)));
            })
            .ToList();
        // Fewer means the scan looked in the wrong place, and every rule would pass for want of code.
        Assert.True(sources.Count > 40, $"found only {sources.Count} source files under {project}");
        return sources;
    }
}

/// <param name="Path">Relative to the project, with forward slashes.</param>
internal sealed record ServerSource(string Path, string? Folder, string Text);
