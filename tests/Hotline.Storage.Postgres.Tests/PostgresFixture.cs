using Hotline.Tests.Shared;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>One throwaway cluster for every test of the collection; each test takes a database of its own.</summary>
public sealed class PostgresFixture : IDisposable
{
    private readonly Dictionary<string, string> _shared = new(StringComparer.Ordinal);

    public PostgresCluster Cluster { get; } = PostgresCluster.Start();

    /// <summary>
    /// A database made once per <paramref name="name"/> for tests that empty what they use
    /// themselves: creating a database costs about a second, and a theory may have dozens of cases.
    /// Tests of the collection run one at a time, so they never share it at once.
    /// </summary>
    public string SharedDatabase(string name)
    {
        lock (_shared)
        {
            if (!_shared.TryGetValue(name, out var connectionString))
            {
                connectionString = Cluster.CreateDatabase();
                _shared[name] = connectionString;
            }
            return connectionString;
        }
    }

    public void Dispose() => Cluster.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
