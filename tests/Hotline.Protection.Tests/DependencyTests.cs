namespace Hotline.Protection.Tests;

/// <summary>Every store reuses this library, so it must not drag in any one store's database.</summary>
public sealed class DependencyTests
{
    [Fact]
    public void TheLibrary_ReferencesOnlyTheDomainAndTheRuntime()
    {
        var references = typeof(AuditChain).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Hotline.Domain", references);
        Assert.DoesNotContain(references, name => name.StartsWith("LiteDB", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(references, name => name.StartsWith("Npgsql", StringComparison.OrdinalIgnoreCase));
        Assert.All(references, name => Assert.True(
            name == "Hotline.Domain" || name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard",
            $"{name} is neither the domain nor the runtime"));
    }
}
