using System.Text.RegularExpressions;

namespace Hotline.Server.Tests.Architecture;

/// <summary>
/// The folder rule of Hotline.Server, read from its sources: every folder is its own namespace,
/// nothing depends on `Hosting/` (the composition root) but `Program.cs`, and no two folders
/// depend on each other, directly or round a longer loop. A folder depends on another when one of
/// its files imports that namespace or names one of its types qualified; top-level files (the
/// root namespace, visible everywhere) count as a folder of their own.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private const string Root = "(root)";
    private const string Hosting = "Hosting";

    private static readonly Lazy<IReadOnlyList<SourceFile>> Sources = new(() => ServerSources.All
        .Select(f => new SourceFile(f.Path, f.Folder ?? Root, NamespaceOf(f.Text), f.Text))
        .ToList());

    [Fact]
    public void EveryFile_IsInTheNamespaceOfItsFolder()
    {
        var misplaced = Sources.Value
            .Where(f => f.Namespace is not null && f.Namespace != (f.Folder == Root ? "Hotline.Server" : "Hotline.Server." + f.Folder))
            .Select(f => $"{f.Path}: namespace {f.Namespace}")
            .ToList();

        Assert.Empty(misplaced);
        Assert.All(Sources.Value.Where(f => f.Namespace is null), f => Assert.Equal("Program.cs", f.Path));
    }

    [Fact]
    public void NothingButProgram_DependsOnHosting()
    {
        var graph = Dependencies();

        var offenders = graph.Files
            .Where(f => f.File.Folder != Hosting && f.File.Path != "Program.cs" && f.DependsOn.Contains(Hosting))
            .Select(f => f.File.Path)
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Folders_HaveNoDependencyCycle()
    {
        var edges = Dependencies().FolderEdges;

        var cycles = FindCycles(edges);

        Assert.True(cycles.Count == 0, "folder cycles: " + string.Join("; ", cycles.Select(c => string.Join(" -> ", c))));
        // The scan must see the wiring, or it proves nothing.
        Assert.Contains("Store", edges[Hosting]);
    }

    private static List<List<string>> FindCycles(IReadOnlyDictionary<string, HashSet<string>> edges)
    {
        var cycles = new List<List<string>>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in edges.Keys.Order(StringComparer.Ordinal))
        {
            var path = new List<string>();
            Visit(start);
            void Visit(string folder)
            {
                var at = path.IndexOf(folder);
                if (at >= 0)
                {
                    cycles.Add([.. path.Skip(at), folder]);
                    return;
                }
                if (!done.Add(folder))
                {
                    return;
                }
                path.Add(folder);
                foreach (var next in edges.GetValueOrDefault(folder, []).Order(StringComparer.Ordinal))
                {
                    Visit(next);
                }
                path.RemoveAt(path.Count - 1);
            }
        }
        return cycles;
    }

    private static DependencyGraph Dependencies()
    {
        var sources = Sources.Value;
        var typesByFolder = sources
            .GroupBy(f => f.Folder)
            .ToDictionary(g => g.Key, g => g.SelectMany(f => TypeDeclaration().Matches(f.Text).Select(m => m.Groups["name"].Value)).ToHashSet(StringComparer.Ordinal));
        var folders = typesByFolder.Keys.Where(f => f != Root).ToList();
        var files = new List<FileDependencies>();
        foreach (var file in sources)
        {
            var code = UsingDirective().Replace(file.Text, "");
            var imported = ServerUsing().Matches(file.Text).Select(m => m.Groups["folder"].Value);
            var qualified = folders.Where(folder => typesByFolder[folder].Any(type =>
                Regex.IsMatch(code, $@"(?<![\w.])(Hotline\.Server\.)?{folder}\.{type}\b")));
            var root = file.Folder != Root && typesByFolder.GetValueOrDefault(Root, []).Any(type => Regex.IsMatch(code, $@"(?<![\w.]){type}\b"))
                ? new[] { Root }
                : [];
            var dependsOn = imported.Concat(qualified).Concat(root).Where(f => f != file.Folder).ToHashSet(StringComparer.Ordinal);
            files.Add(new FileDependencies(file, dependsOn));
        }
        var edges = files
            .Where(f => f.File.Path != "Program.cs")
            .GroupBy(f => f.File.Folder)
            .ToDictionary(g => g.Key, g => g.SelectMany(f => f.DependsOn).ToHashSet(StringComparer.Ordinal));
        return new DependencyGraph(files, edges);
    }

    private static string? NamespaceOf(string text) =>
        NamespaceDeclaration().Match(text) is { Success: true } match ? match.Groups["name"].Value : null;

    [GeneratedRegex(@"^namespace (?<name>[\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"\b(class|record|struct|interface|enum)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^using\s+(static\s+)?Hotline\.Server\.(?<folder>\w+)\s*;", RegexOptions.Multiline)]
    private static partial Regex ServerUsing();

    [GeneratedRegex(@"^using\s[^;]*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    private sealed record SourceFile(string Path, string Folder, string? Namespace, string Text);

    private sealed record FileDependencies(SourceFile File, HashSet<string> DependsOn);

    private sealed record DependencyGraph(IReadOnlyList<FileDependencies> Files, IReadOnlyDictionary<string, HashSet<string>> FolderEdges);
}
