using Hotline.Domain;
using Hotline.Storage.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>
/// The PostgreSQL store against the store contract, on the throwaway cluster. Every test starts from
/// an empty schema in one shared database (dropping a schema takes milliseconds, creating a database
/// about a second); the collection runs its tests one at a time.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRequestStoreContractTests(PostgresFixture postgres, ITestOutputHelper output)
    : RequestStoreContract<PostgresRequestStore>(output)
{
    private static readonly byte[] MasterKey = [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 5))];

    /// <summary>Short, so a test that waits for the listener never waits long for a lost wake-up.</summary>
    private static readonly TimeSpan ReReadInterval = TimeSpan.FromMilliseconds(200);

    protected override int PurgeRoundSize => PostgresRequestStore.RetentionRoundSize;

    protected override async Task<PostgresRequestStore> CreateStoreAsync(IChangeListener? listener = null, TimeProvider? time = null)
    {
        var connectionString = postgres.SharedDatabase("contract");
        await using (var data = NpgsqlDataSource.Create(connectionString))
        await using (var empty = data.CreateCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        {
            await empty.ExecuteNonQueryAsync();
        }
        return await PostgresRequestStore.OpenAsync(connectionString, new RequestStoreOptions(), time ?? new FakeTimeProvider(TestData.Start),
            listener ?? NoChangeListener.Instance, NullLogger.Instance, MasterKey, ReReadInterval, CancellationToken.None);
    }
}
