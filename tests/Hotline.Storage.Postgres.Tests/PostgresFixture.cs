using Hotline.Tests.Shared;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>One throwaway cluster for every test of the collection; each test takes a database of its own.</summary>
public sealed class PostgresFixture : IDisposable
{
    public PostgresCluster Cluster { get; } = PostgresCluster.Start();

    public void Dispose() => Cluster.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
