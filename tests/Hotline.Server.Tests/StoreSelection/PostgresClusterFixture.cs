using Hotline.Tests.Shared;

namespace Hotline.Server.Tests.StoreSelection;

/// <summary>One throwaway PostgreSQL cluster per test class; each test takes a database of its own.</summary>
public sealed class PostgresClusterFixture : IDisposable
{
    public PostgresCluster Cluster { get; } = PostgresCluster.Start();

    public void Dispose() => Cluster.Dispose();
}
