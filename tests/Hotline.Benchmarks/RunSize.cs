namespace Hotline.Benchmarks;

/// <summary>
/// How much work each benchmark does. The full run stays under about three minutes on a two-core
/// machine; the quick one (--quick) under about thirty seconds, with fewer repetitions.
/// </summary>
internal sealed record RunSize
{
    public static readonly RunSize Full = new()
    {
        Name = "full",
        Repetitions = 5,
        SingleSubmits = 400,
        ConcurrentSubmits = 2_500,
        BulkInserts = 20_000,
        StoredForMemory = 10_000,
        ClaimsPerOperator = 40,
        SequentialCalls = 400,
        ConcurrentCalls = 3_000,
        PacedSubmits = 600,
        FanOutSubmits = 1_500,
    };

    public static readonly RunSize Quick = new()
    {
        Name = "quick",
        Repetitions = 3,
        SingleSubmits = 200,
        ConcurrentSubmits = 1_000,
        BulkInserts = 5_000,
        StoredForMemory = 5_000,
        ClaimsPerOperator = 15,
        SequentialCalls = 150,
        ConcurrentCalls = 1_000,
        PacedSubmits = 200,
        FanOutSubmits = 600,
    };

    /// <summary>
    /// For CI (--smoke): every section runs its whole path once at toy sizes, so a broken benchmark
    /// fails the build; its figures mean nothing and nothing is judged on them.
    /// </summary>
    public static readonly RunSize Smoke = new()
    {
        Name = "smoke",
        Repetitions = 1,
        SingleSubmits = 20,
        ConcurrentSubmits = 100,
        BulkInserts = 200,
        StoredForMemory = 200,
        ClaimsPerOperator = 3,
        SequentialCalls = 20,
        ConcurrentCalls = 100,
        PacedSubmits = 20,
        FanOutSubmits = 50,
    };

    public required string Name { get; init; }

    /// <summary>Measured repetitions of each scenario, after one warm-up round; medians are over these.</summary>
    public required int Repetitions { get; init; }

    /// <summary>Submits per repetition with one submitter, and inserts of the per-insert LiteDB peer.</summary>
    public required int SingleSubmits { get; init; }

    /// <summary>Submits per repetition with 16 or 64 submitters.</summary>
    public required int ConcurrentSubmits { get; init; }

    public required int BulkInserts { get; init; }

    /// <summary>Requests stored between the two heap readings; the growth is scaled to 10,000.</summary>
    public required int StoredForMemory { get; init; }

    public required int ClaimsPerOperator { get; init; }

    /// <summary>One caller, one call at a time: latency.</summary>
    public required int SequentialCalls { get; init; }

    /// <summary>Sixteen callers at once: throughput.</summary>
    public required int ConcurrentCalls { get; init; }

    /// <summary>Submits at a steady 200/s while watchers follow: delivery latency.</summary>
    public required int PacedSubmits { get; init; }

    /// <summary>
    /// Submits as fast as intake goes, per repetition: fan-out throughput. Kept below the default
    /// per-watcher buffer (4,096) so a watcher that lags is measured, not cut off.
    /// </summary>
    public required int FanOutSubmits { get; init; }
}
