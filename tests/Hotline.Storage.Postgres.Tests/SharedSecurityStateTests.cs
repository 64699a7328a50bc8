using System.Diagnostics;
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
/// The security state two stores on one database share: an account written through one is found by
/// the other as "changed since the version it last read", the lock state with it, and a notification
/// carrying only the version wakes the other's follower; rate buckets and failure windows are one
/// count across both, taken all-or-nothing, kept under keyed hashes only.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedSecurityStateTests(PostgresFixture postgres)
{
    private static readonly TimeSpan LongInterval = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task AnAccountWrittenThroughOneStore_IsReadByTheOther_AsChangedSinceItsVersion_AndOnlyOnce()
    {
        var (connectionString, masterKey) = NewDatabase();
        using var storeA = await OpenAsync(connectionString, masterKey);
        using var storeB = await OpenAsync(connectionString, masterKey);

        var start = await storeB.ReadChangesAsync(0, CancellationToken.None).DefaultTimeout();
        Assert.Empty(start.Accounts);
        Assert.False(start.Locked);

        await storeA.ExecuteAsync(Add("anna"), CancellationToken.None).DefaultTimeout();
        await storeA.ExecuteAsync(Add("boris"), CancellationToken.None).DefaultTimeout();
        var afterAdds = await storeB.ReadChangesAsync(start.Version, CancellationToken.None).DefaultTimeout();
        Assert.Equal(["anna", "boris"], afterAdds.Accounts.Select(a => a.Id));
        Assert.Equal(start.Version + 2, afterAdds.Version);

        var revoked = await storeA.ExecuteAsync(new ReplaceTokenCommand("anna", NewTokenHash: null), CancellationToken.None).DefaultTimeout();
        var afterRevoke = await storeB.ReadChangesAsync(afterAdds.Version, CancellationToken.None).DefaultTimeout();
        var anna = Assert.Single(afterRevoke.Accounts);
        Assert.Equal(revoked.Version, anna.Version);
        Assert.Null(anna.TokenHash);

        var nothing = await storeB.ReadChangesAsync(afterRevoke.Version, CancellationToken.None).DefaultTimeout();
        Assert.Empty(nothing.Accounts);
        Assert.Equal(afterRevoke.Version, nothing.Version);
    }

    [Fact]
    public async Task ALockdownThroughOneStore_IsReadByTheOther_AndItsNotificationWakesTheOthersFollower()
    {
        var (connectionString, masterKey) = NewDatabase();
        using var storeA = await OpenAsync(connectionString, masterKey);
        using var storeB = await OpenAsync(connectionString, masterKey, LongInterval);
        var wakes = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var following = storeB.FollowAsync(_ =>
        {
            wakes.Release();
            return Task.CompletedTask;
        }, stop.Token);
        // The first wake-up comes once it listens; with a five-minute interval, any later one is a notification.
        Assert.True(await wakes.WaitAsync(TimeSpan.FromSeconds(30)));
        var before = await storeB.ReadChangesAsync(0, CancellationToken.None).DefaultTimeout();

        await storeA.Vault.LockAsync("admin", CancellationToken.None).DefaultTimeout();

        Assert.True(await wakes.WaitAsync(TimeSpan.FromSeconds(30)), "the lockdown's notification woke the other store's follower");
        var after = await storeB.ReadChangesAsync(before.Version, CancellationToken.None).DefaultTimeout();
        Assert.True(after.Locked);
        Assert.Equal(before.Version + 1, after.Version);
        Assert.False(storeB.Vault.IsLocked, "the store only reports it; the server decides what to do");
        await stop.CancelAsync();
        await following.DefaultTimeout();
    }

    [Fact]
    public async Task TakingFromTwoBuckets_TakesFromBothOrFromNeither()
    {
        var (connectionString, masterKey) = NewDatabase();
        using var store = await OpenAsync(connectionString, masterKey);
        var limits = store.RateLimits!;
        var caller = new SharedBucket("intake-caller", "web-form", 0.001, 2);
        var global = new SharedBucket("intake-global", "", 0.001, 1);

        Assert.True((await limits.TakeAsync([caller, global], CancellationToken.None).DefaultTimeout()).Taken);
        var refused = await limits.TakeAsync([caller, global], CancellationToken.None).DefaultTimeout();
        Assert.Equal(1, refused.RefusedBy);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(1000));

        // The refusal by the global bucket left the caller's token where it was: one is still there, then none.
        Assert.True((await limits.TakeAsync([caller], CancellationToken.None).DefaultTimeout()).Taken);
        Assert.Equal(0, (await limits.TakeAsync([caller], CancellationToken.None).DefaultTimeout()).RefusedBy);
    }

    [Fact]
    public async Task ABucketRacedThroughTwoStores_GivesExactlyItsCapacity()
    {
        var (connectionString, masterKey) = NewDatabase();
        using var storeA = await OpenAsync(connectionString, masterKey);
        using var storeB = await OpenAsync(connectionString, masterKey);
        var bucket = new SharedBucket("intake-caller", "sms-gateway", 0.0001, 25);

        var takes = await Task.WhenAll(Enumerable.Range(0, 80).Select(i =>
            Task.Run(() => (i % 2 == 0 ? storeA : storeB).RateLimits!.TakeAsync([bucket], CancellationToken.None)))).DefaultTimeout();

        Assert.Equal(25, takes.Count(t => t.Taken));
    }

    [Fact]
    public async Task FailuresCountedThroughTwoStores_AreOneWindow_KeptUnderKeyedHashesOnly()
    {
        var (connectionString, masterKey) = NewDatabase();
        using var storeA = await OpenAsync(connectionString, masterKey);
        using var storeB = await OpenAsync(connectionString, masterKey);
        const string Source = "192.0.2.77";

        var counts = new[] { storeA, storeB, storeA, storeB }
            .Select(s => s.RateLimits!.CountFailure("auth-failure", Source, TimeSpan.FromMinutes(1)).Failures).ToList();
        await storeA.RateLimits!.TakeAsync([new SharedBucket("intake-caller", "web-form", 1, 5)], CancellationToken.None).DefaultTimeout();

        Assert.Equal([1, 2, 3, 4], counts);
        Assert.Equal(1, storeB.RateLimits!.CountFailure("auth-failure", "192.0.2.78", TimeSpan.FromMinutes(1)).Failures);
        await using var data = NpgsqlDataSource.Create(connectionString);
        foreach (var table in new[] { "failure_windows", "rate_buckets" })
        {
            await using var command = data.CreateCommand("SELECT key FROM " + table);
            await using var rows = await command.ExecuteReaderAsync();
            var keys = new List<byte[]>();
            while (await rows.ReadAsync())
            {
                keys.Add((byte[])rows.GetValue(0));
            }
            Assert.NotEmpty(keys);
            Assert.All(keys, key =>
            {
                Assert.Equal(32, key.Length);
                Assert.DoesNotContain("192.0.2", Encoding.Latin1.GetString(key), StringComparison.Ordinal);
                Assert.DoesNotContain("web-form", Encoding.Latin1.GetString(key), StringComparison.Ordinal);
            });
        }
    }

    [Fact]
    public async Task StoresUnderAnotherMasterKey_WouldHashTheSameSourceDifferently()
    {
        // The hash key derives from the master key: a database reader without it cannot test guessed addresses.
        var (connectionString, masterKey) = NewDatabase();
        using var store = await OpenAsync(connectionString, masterKey);
        using var other = new SharedRateLimits(connectionString, RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength));
        var ours = ((SharedRateLimits)store.RateLimits!).StoredKey("auth-failure", "192.0.2.1");

        Assert.NotEqual(ours, other.StoredKey("auth-failure", "192.0.2.1"));
        Assert.Equal(ours, ((SharedRateLimits)store.RateLimits!).StoredKey("auth-failure", "192.0.2.1"));
    }

    [Fact]
    public async Task ADatabaseThatDoesNotAnswer_IsReportedAsUnavailable_WithinTheLimitersTimeout()
    {
        var unreachable = new NpgsqlConnectionStringBuilder
        {
            Host = Path.Combine(Path.GetTempPath(), "hotline-no-such-socket-" + Guid.NewGuid().ToString("N")),
            Database = "none",
            Username = "none",
        }.ConnectionString;
        using var limits = new SharedRateLimits(unreachable, RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength));
        var clock = Stopwatch.StartNew();

        Assert.Throws<SharedLimitUnavailableException>(() => limits.CountFailure("auth-failure", "192.0.2.1", TimeSpan.FromMinutes(1)));
        await Assert.ThrowsAsync<SharedLimitUnavailableException>(() =>
            limits.TakeAsync([new SharedBucket("intake-global", "", 1, 1)], CancellationToken.None)).DefaultTimeout();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4 * SharedRateLimits.TimeoutSeconds), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task AStoreOpenedLockedWithoutTheMasterKey_OffersNoSharedLimits()
    {
        var (connectionString, masterKey) = NewDatabase();
        using (var first = await OpenAsync(connectionString, masterKey))
        {
            await first.Vault.LockAsync("admin", CancellationToken.None).DefaultTimeout();
        }
        using var locked = await OpenAsync(connectionString, masterKey: null);

        Assert.True(locked.Vault.IsLocked);
        Assert.Null(locked.RateLimits);
        Assert.True((await locked.ReadChangesAsync(0, CancellationToken.None).DefaultTimeout()).Locked);
    }

    [Fact]
    public async Task Pruning_RemovesOnlyRowsLongPastTheirEnd()
    {
        var (connectionString, masterKey) = NewDatabase();
        using var store = await OpenAsync(connectionString, masterKey);
        var limits = store.RateLimits!;
        await limits.TakeAsync([new SharedBucket("intake-caller", "spent", 1, 5)], CancellationToken.None).DefaultTimeout();
        await limits.TakeAsync([new SharedBucket("intake-caller", "fresh", 1, 5)], CancellationToken.None).DefaultTimeout();
        limits.CountFailure("auth-failure", "192.0.2.9", TimeSpan.FromMinutes(1));
        await using var data = NpgsqlDataSource.Create(connectionString);
        // Age one bucket as if it had refilled two minutes ago.
        await using (var age = data.CreateCommand("UPDATE rate_buckets SET full_at = full_at - 120 WHERE key = @key"))
        {
            age.Parameters.AddWithValue("key", ((SharedRateLimits)limits).StoredKey("intake-caller", "spent"));
            Assert.Equal(1, await age.ExecuteNonQueryAsync());
        }

        Assert.Equal(1, await limits.PruneAsync(CancellationToken.None).DefaultTimeout());
        await using var count = data.CreateCommand("SELECT (SELECT count(*) FROM rate_buckets) + (SELECT count(*) FROM failure_windows)");
        Assert.Equal(2L, await count.ExecuteScalarAsync());
    }

    private (string ConnectionString, byte[] MasterKey) NewDatabase() =>
        (postgres.Cluster.CreateDatabase(), RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength));

    private static AddOperatorCommand Add(string id) =>
        new(id, "Operator " + id, Role.Operator, AccessTokens.Hash(AccessTokens.New()));

    private static Task<PostgresRequestStore> OpenAsync(string connectionString, byte[]? masterKey, TimeSpan? interval = null) =>
        PostgresRequestStore.OpenAsync(connectionString, new RequestStoreOptions(), new FakeTimeProvider(TestData.Start), NoChangeListener.Instance,
            NullLogger.Instance, masterKey, interval ?? TimeSpan.FromMilliseconds(200), CancellationToken.None);
}
