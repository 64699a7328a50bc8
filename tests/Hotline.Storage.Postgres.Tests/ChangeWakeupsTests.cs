using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>
/// Another server's commit wakes this one with its revision; and when the listening connection
/// dies (so notifications are lost), the listener still wakes on its interval and reconnects.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChangeWakeupsTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ANotifiedRevision_WakesTheListener_AndAKilledConnectionOnlyDelaysIt()
    {
        var connectionString = postgres.Cluster.CreateDatabase();
        await using var otherServer = NpgsqlDataSource.Create(connectionString);
        var wakeups = new ChangeWakeups(connectionString, TimeSpan.FromMilliseconds(300), NullLogger.Instance);
        var hints = new List<long?>();
        var woken = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var running = wakeups.RunAsync((hint, _) =>
        {
            lock (hints)
            {
                hints.Add(hint);
            }
            woken.Release();
            return Task.CompletedTask;
        }, stop.Token);

        // The first wake-up comes once it listens: a re-read without a hint.
        Assert.True(await woken.WaitAsync(Timeout));
        await NotifyAsync(otherServer, 41);
        await WaitForHintAsync(hints, woken, 41);

        // Kill the listening backend: a notification sent now may be lost, but the listener comes back and hears the next.
        await using (var connection = await otherServer.OpenConnectionAsync())
        await using (var kill = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'hotline-listen'", connection))
        {
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }
        await NotifyAsync(otherServer, 42);
        var calledAfterKill = hints.Count;
        await WaitForHintAsync(hints, woken, null, after: calledAfterKill);
        await NotifyAsync(otherServer, 43);
        await WaitForHintAsync(hints, woken, 43);

        await stop.CancelAsync();
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task AWakeUpThatThrowsSomethingUnexpected_DoesNotEndTheListener_ItListensAgainAndHearsTheNext()
    {
        var connectionString = postgres.Cluster.CreateDatabase();
        await using var otherServer = NpgsqlDataSource.Create(connectionString);
        var wakeups = new ChangeWakeups(connectionString, TimeSpan.FromMilliseconds(300), NullLogger.Instance);
        var hints = new List<long?>();
        var woken = new SemaphoreSlim(0);
        var failures = 0;
        using var stop = new CancellationTokenSource();
        var running = wakeups.RunAsync((hint, _) =>
        {
            lock (hints)
            {
                hints.Add(hint);
            }
            woken.Release();
            // Neither Npgsql's, nor I/O, nor a timeout: what a bug in the follower or its listener would throw.
            return Interlocked.Increment(ref failures) <= 2 ? throw new InvalidOperationException("not an Npgsql failure") : Task.CompletedTask;
        }, stop.Token);

        // Two failed wake-ups, each followed by a new connection; the third comes once it listens again.
        await WaitForHintAsync(hints, woken, null, after: 2);
        await NotifyAsync(otherServer, 7);
        await WaitForHintAsync(hints, woken, 7);

        Assert.False(running.IsCompleted, "the listener keeps running after unexpected failures");
        Assert.True(Volatile.Read(ref failures) >= 3, "it was woken again after each failure");
        await stop.CancelAsync();
        await running.WaitAsync(Timeout);
    }

    private static async Task NotifyAsync(NpgsqlDataSource server, long revision)
    {
        await using var connection = await server.OpenConnectionAsync();
        await using var notify = new NpgsqlCommand(ChangeWakeups.NotifySql, connection);
        notify.Parameters.AddWithValue("revision", revision);
        await notify.ExecuteNonQueryAsync();
    }

    private static async Task WaitForHintAsync(List<long?> hints, SemaphoreSlim woken, long? hint, int after = 0)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            lock (hints)
            {
                if (hints.Skip(after).Contains(hint))
                {
                    return;
                }
            }
            await woken.WaitAsync(deadline.Token);
        }
    }
}
