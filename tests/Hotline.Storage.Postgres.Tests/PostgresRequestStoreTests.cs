using System.Security.Cryptography;
using System.Text;
using Hotline.Domain;
using Hotline.Protection;
using Hotline.Storage.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>
/// What the PostgreSQL store does beyond the store contract: two stores on one database standing for
/// two servers, each listener told of every change either committed, in one order; the master key
/// checked against the database's; free text of a follow-up never in a column in the clear.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRequestStoreTests(PostgresFixture postgres)
{
    private static readonly TimeSpan ReReadInterval = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task TwoStoresOnOneDatabase_EachListenerSeesEveryChangeOfBoth_InOneGapFreeOrder()
    {
        var masterKey = RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength);
        var connectionString = postgres.Cluster.CreateDatabase();
        var heardByA = new RecordingListener();
        var heardByB = new RecordingListener();
        using var storeA = await OpenAsync(connectionString, masterKey, heardByA);
        using var storeB = await OpenAsync(connectionString, masterKey, heardByB);
        const int PerStore = 30;

        var receipts = await Task.WhenAll(Enumerable.Range(0, PerStore).SelectMany(i => new[]
        {
            Task.Run(() => storeA.SubmitAsync(TestData.Submission("a-" + i), CancellationToken.None)),
            Task.Run(() => storeB.SubmitAsync(TestData.Submission("b-" + i), CancellationToken.None)),
        })).DefaultTimeout();
        // Every request claimed once, through the other store than the one that took it in.
        await Task.WhenAll(receipts.Select((r, i) => Task.Run(() => (i % 2 == 0 ? storeB : storeA)
            .ExecuteAsync(r.RequestId, new AssignCommand(TestData.Operator(i), TestData.Operator(i)), CancellationToken.None)))).DefaultTimeout();

        heardByA.WaitForRevision(2 * PerStore * 2);
        heardByB.WaitForRevision(2 * PerStore * 2);
        var expected = Enumerable.Range(1, 2 * PerStore * 2).Select(n => (long)n).ToList();
        Assert.Equal(expected, heardByA.Changes.Select(c => c.Revision));
        Assert.Equal(expected, heardByB.Changes.Select(c => c.Revision));
        Assert.Equal(heardByA.Changes.Select(c => (c.RequestId, c.Kind)), heardByB.Changes.Select(c => (c.RequestId, c.Kind)));
        Assert.Equal(2 * PerStore, receipts.Select(r => r.Number).Distinct().Count());
        var verified = await storeB.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();
        Assert.True(verified.Intact, verified.Detail);
    }

    [Fact]
    public async Task AnotherMasterKey_IsRefused_AndTheRightOneOpens()
    {
        var masterKey = RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength);
        var connectionString = postgres.Cluster.CreateDatabase();
        using (var first = await OpenAsync(connectionString, masterKey, NoChangeListener.Instance))
        {
            await first.SubmitAsync(TestData.Submission("k-1"), CancellationToken.None).DefaultTimeout();
        }

        await Assert.ThrowsAsync<MasterKeyException>(() =>
            OpenAsync(connectionString, RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength), NoChangeListener.Instance));
        await Assert.ThrowsAsync<MasterKeyException>(() => OpenAsync(connectionString, masterKey: null, NoChangeListener.Instance));
        using var again = await OpenAsync(connectionString, masterKey, NoChangeListener.Instance);
        Assert.Equal(1, again.CommittedRevision);
    }

    [Fact]
    public async Task AFollowUpsReason_IsSealedInTheTables_AndReadBackWhole()
    {
        var masterKey = RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength);
        var connectionString = postgres.Cluster.CreateDatabase();
        var time = new FakeTimeProvider(TestData.Start);
        using var store = await OpenAsync(connectionString, masterKey, NoChangeListener.Instance, time);
        var id = (await store.SubmitAsync(TestData.Submission("f-1"), CancellationToken.None).DefaultTimeout()).RequestId;
        var anna = TestData.Operator(1);
        await store.ExecuteAsync(id, new AssignCommand(anna, anna), CancellationToken.None).DefaultTimeout();
        const string Reason = "call the sister in Grozny about the bus";

        await store.ExecuteAsync(id, new SetFollowUpCommand(anna, TestData.Start.AddHours(3), Reason), CancellationToken.None).DefaultTimeout();

        var read = await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout();
        Assert.Equal(Reason, read!.FollowUp?.Reason);
        Assert.NotNull(read.FirstClaimTime);
        var text = await DumpAsync(connectionString);
        Assert.Contains(id, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Grozny", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sister", text, StringComparison.Ordinal);
    }

    /// <summary>Every row of the requests table and the change log as PostgreSQL prints it.</summary>
    private static async Task<string> DumpAsync(string connectionString)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var dump = data.CreateCommand(
            "SELECT coalesce(string_agg(r::text, ' '), '') FROM requests r UNION ALL SELECT coalesce(string_agg(c::text, ' '), '') FROM changes c");
        var text = new StringBuilder();
        await using var rows = await dump.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            text.Append(TextOf(rows));
        }
        return text.ToString();
    }

    private static string TextOf(NpgsqlDataReader row) => row.GetString(0);

    private static Task<PostgresRequestStore> OpenAsync(string connectionString, byte[]? masterKey, IChangeListener listener, TimeProvider? time = null) =>
        PostgresRequestStore.OpenAsync(connectionString, new RequestStoreOptions(), time ?? new FakeTimeProvider(TestData.Start), listener,
            NullLogger.Instance, masterKey, ReReadInterval, CancellationToken.None);
}
