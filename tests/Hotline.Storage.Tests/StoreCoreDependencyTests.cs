namespace Hotline.Storage.Tests;

/// <summary>
/// The write core is shared by the LiteDB and the PostgreSQL store, so it must not drag in either
/// database; and the LiteDB store must reach it, not copy it.
/// </summary>
public sealed class StoreCoreDependencyTests
{
    [Fact]
    public void TheCore_ReferencesOnlyTheDomainProtectionLoggingAndTheRuntime()
    {
        var references = typeof(StoreWriter).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Equal("Hotline.Storage.Core", typeof(StoreWriter).Assembly.GetName().Name);
        Assert.Contains("Hotline.Domain", references);
        Assert.Contains("Hotline.Protection", references);
        Assert.All(references, name => Assert.True(
            name is "Hotline.Domain" or "Hotline.Protection" or "Microsoft.Extensions.Logging.Abstractions" or "netstandard"
                || name.StartsWith("System", StringComparison.Ordinal),
            $"{name} is neither the domain, protection, logging nor the runtime"));
    }

    [Fact]
    public void TheLiteDbStore_WritesThroughTheCore()
    {
        var core = typeof(StoreWriter).Assembly;

        Assert.Equal(core, typeof(WriteBatch).Assembly);
        Assert.Equal(core, typeof(StoreKeyVault).Assembly);
        Assert.NotEqual(core, typeof(LiteDbRequestStore).Assembly);
        Assert.Contains(typeof(LiteDbRequestStore).Assembly.GetReferencedAssemblies(), a => a.Name == "Hotline.Storage.Core");
        Assert.True(typeof(IStoreRows).IsAssignableFrom(typeof(LiteDbRows)));
        Assert.True(typeof(IStoreEngine).IsAssignableFrom(typeof(LiteDbEngine)));
        Assert.DoesNotContain(typeof(LiteDbRequestStore).Assembly.GetReferencedAssemblies(),
            a => a.Name!.StartsWith("Npgsql", StringComparison.OrdinalIgnoreCase));
    }
}
