using System.Diagnostics;
using Hotline.Domain;
using Hotline.Server.Flood;
using Hotline.Storage;
using Hotline.Storage.Postgres;
using Hotline.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hotline.Benchmarks;

/// <summary>
/// What a rate-limit decision costs when several servers share it through PostgreSQL
/// (<see cref="ISharedRateLimits"/>: one call of <c>hotline_take_tokens</c> over the caller's and the
/// global bucket per submission, one upsert per failed sign-in), on a throwaway cluster. Peers, in
/// the same run: a <c>SELECT 1</c> round trip on the same database (the floor of any call to it),
/// at one caller and at eight at once, and this server's own in-memory buckets (what a LiteDB server
/// pays). Needs PostgreSQL's server programs (<c>--only limits</c>; not in the default set).
/// </summary>
internal static class SharedLimitBenchmark
{
    private const int Concurrent = 8;

    public static async Task RunAsync(RunSize size)
    {
        Report.Section("11. Shared rate limits on PostgreSQL: one decision per submission or failed sign-in, across servers",
            "peers: a SELECT 1 round trip on the same database at the same concurrency; this server's in-memory buckets");
        using var cluster = PostgresCluster.Start();
        var connectionString = cluster.CreateDatabase();
        using var store = await PostgresRequestStore.OpenAsync(connectionString, new RequestStoreOptions(), TimeProvider.System,
            NoChangeListener.Instance, NullLogger.Instance, BenchKeys.MasterKey, reReadInterval: null, CancellationToken.None);
        var limits = store.RateLimits ?? throw new InvalidOperationException("The store offers no shared limits.");
        await using var data = NpgsqlDataSource.Create(connectionString);
        var unlimited = new IntakeOptions { PerCallerPerSecond = 1e9, Burst = 1_000_000_000, GlobalPerSecond = 1e9, GlobalBurst = 1_000_000_000 };
        var local = new IntakeRateLimiter(Options.Create(unlimited), TimeProvider.System);
        SharedBucket[] Buckets(int caller) =>
        [
            new(SharedIntakeRateLimiter.CallerScope, Report.Invariant($"caller-{caller}"), unlimited.PerCallerPerSecond, unlimited.Burst),
            new(SharedIntakeRateLimiter.GlobalScope, "", unlimited.GlobalPerSecond, unlimited.GlobalBurst),
        ];
        var calls = size.SequentialCalls;
        var concurrentCalls = size.ConcurrentCalls;

        var (take, round, failure, memory, takeMany, roundMany) = (new List<double>(), new List<double>(), new List<double>(), new List<double>(),
            new List<double>(), new List<double>());
        await limits.TakeAsync(Buckets(0), CancellationToken.None);
        await SelectOneAsync(data);
        for (var rep = 0; rep < size.Repetitions; rep++)
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < calls; i++)
            {
                await limits.TakeAsync(Buckets(i % 16), CancellationToken.None);
            }
            take.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds / calls);

            started = Stopwatch.GetTimestamp();
            for (var i = 0; i < calls; i++)
            {
                await SelectOneAsync(data);
            }
            round.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds / calls);

            started = Stopwatch.GetTimestamp();
            for (var i = 0; i < calls; i++)
            {
                limits.CountFailure("auth-failure", Report.Invariant($"198.51.100.{i % 200}"), TimeSpan.FromMinutes(1));
            }
            failure.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds / calls);

            started = Stopwatch.GetTimestamp();
            for (var i = 0; i < calls; i++)
            {
                local.TryAdmit(Report.Invariant($"caller-{i % 16}"));
            }
            memory.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds / calls);

            takeMany.Add(await AtOnceAsync(concurrentCalls, i => limits.TakeAsync(Buckets(i % 16), CancellationToken.None)));
            roundMany.Add(await AtOnceAsync(concurrentCalls, _ => SelectOneAsync(data)));
        }

        var selectOne = Repeated.Median(round);
        Report.Row("SELECT 1 round trip, 1 caller (peer)", Report.Ms(selectOne) + " ms/call");
        Report.Row("intake decision (2 buckets), 1 caller", Report.Ms(Repeated.Median(take)) + " ms/call",
            Report.Ratio(Repeated.MedianRatio(take, round)) + " the round trip");
        Report.Row("failed sign-in counted, 1 caller", Report.Ms(Repeated.Median(failure)) + " ms/call",
            Report.Ratio(Repeated.MedianRatio(failure, round)) + " the round trip");
        Report.Row("in-memory intake decision (LiteDB)", Report.Invariant($"{Repeated.Median(memory) * 1000:0.00} µs/call"),
            Report.Ratio(Repeated.MedianRatio(take, memory)) + " is the shared one's cost");
        Report.Row(Report.Invariant($"SELECT 1, {Concurrent} callers at once (peer)"), Report.Rate(Repeated.Median(roundMany)));
        Report.Row(Report.Invariant($"intake decisions, {Concurrent} callers at once"), Report.Rate(Repeated.Median(takeMany)),
            Report.Ratio(Repeated.MedianRatio(takeMany, roundMany)) + " the round trips' rate (all share the global bucket's row)");
    }

    private static async Task SelectOneAsync(NpgsqlDataSource data)
    {
        await using var command = data.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync();
    }

    /// <returns>Calls a second with <see cref="Concurrent"/> callers each making calls until <paramref name="count"/> are made.</returns>
    private static async Task<double> AtOnceAsync(int count, Func<int, Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        await Concurrently.ForEachAsync(count, Concurrent, call);
        return Repeated.PerSecond(count, started);
    }
}
