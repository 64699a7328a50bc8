using System.Diagnostics;

namespace Hotline.Benchmarks;

/// <summary>
/// Durations of one scenario in milliseconds. Not thread-safe: each worker keeps its own and they
/// are merged afterwards, so recording never adds contention to what is being measured.
/// </summary>
internal sealed class Latencies
{
    private readonly List<double> _milliseconds = [];
    private bool _sorted;

    public int Count => _milliseconds.Count;

    public void Record(long startTimestamp, long endTimestamp) =>
        Record(Stopwatch.GetElapsedTime(startTimestamp, endTimestamp).TotalMilliseconds);

    /// <summary>Negative values are kept: a watcher can see a change before its submitter hears "OK".</summary>
    public void Record(double milliseconds)
    {
        _milliseconds.Add(milliseconds);
        _sorted = false;
    }

    public static Latencies Merge(IEnumerable<Latencies> parts)
    {
        var merged = new Latencies();
        foreach (var part in parts)
        {
            merged._milliseconds.AddRange(part._milliseconds);
        }
        return merged;
    }

    /// <summary>Nearest-rank percentile, <paramref name="percent"/> in (0, 100].</summary>
    public double Percentile(double percent)
    {
        if (_milliseconds.Count == 0)
        {
            return double.NaN;
        }
        if (!_sorted)
        {
            _milliseconds.Sort();
            _sorted = true;
        }
        var rank = (int)Math.Ceiling(percent / 100 * _milliseconds.Count);
        return _milliseconds[Math.Clamp(rank, 1, _milliseconds.Count) - 1];
    }
}

/// <summary>One figure per repetition; medians resist the odd repetition a neighbour slowed down.</summary>
internal static class Repeated
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>
    /// The median of per-repetition ratios. Each pair was measured back to back, so a slow patch of
    /// the machine hits both sides of a ratio and cancels out.
    /// </summary>
    public static double MedianRatio(IReadOnlyList<double> numerators, IReadOnlyList<double> denominators) =>
        Median(numerators.Zip(denominators, (n, d) => n / d).ToArray());

    public static double PerSecond(int count, long startTimestamp) =>
        count / Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
}
