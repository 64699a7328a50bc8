using System.Diagnostics;
using Hotline.Domain;
using Hotline.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Benchmarks;

/// <summary>
/// What a page of the open queue costs against an audited get, in the store alone (no gRPC), the
/// two measured in turns: both are audited reads that wait for their record's group commit, so
/// the ratio shows what a list adds for its hundred requests (finding and sorting the open keys,
/// opening a hundred sealed requests, and the audit record naming them). The queue's requests
/// arrive three minutes apart over two days, as an open queue does, not in one burst.
/// CPU is the whole process's (the writer thread's work for the audit record included).
/// </summary>
internal static class StoreListBenchmark
{
    private const int Page = 100;

    public static async Task RunAsync(RunSize size)
    {
        var open = size == RunSize.Smoke ? 200 : 1_000;
        var gets = size == RunSize.Smoke ? 20 : 200;
        var lists = size == RunSize.Smoke ? 5 : 30;
        Report.Section(Report.Invariant($"9. Store lists: a page of {Page} of the open queue ({open:N0} NEW, arriving over {open * 3 / 60} hours) against an audited get"),
            "peer: GetRequest of one request with its audit record, measured in turns with the lists (1.00x = a list costs one get)");
        using var scratch = new ScratchDirectory();
        var clock = new SettableClock(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(3 * open));
        using var store = LiteDbRequestStore.Open(scratch.Sub("store"), new RequestStoreOptions(), clock, NoChangeListener.Instance,
            NullLogger.Instance, BenchKeys.MasterKey);
        var prefix = Synthetic.NewKeyPrefix();
        var ids = new string[open];
        for (var i = 0; i < open; i++)
        {
            ids[i] = (await store.SubmitAsync(Synthetic.Submission(prefix + i), CancellationToken.None)).RequestId;
            clock.Now += TimeSpan.FromMinutes(3);
        }
        clock.Now = DateTimeOffset.UtcNow;
        var query = new RequestQuery { Terms = QuerySyntax.ParseFilter("state = NEW", Synthetic.OperatorCaller), Limit = Page };

        var getWall = new List<double>();
        var getCpu = new List<double>();
        var listWall = new List<double>();
        var listCpu = new List<double>();
        var random = new Random(20261202);
        // A warm-up round first: JIT and the page cache, as after a few minutes of service.
        for (var rep = -1; rep < size.Repetitions; rep++)
        {
            var (wall, cpu) = await MeasureAsync(gets, () => store.GetAsync(ids[random.Next(open)], Synthetic.OperatorCaller, CancellationToken.None));
            var (listWallNow, listCpuNow) = await MeasureAsync(lists, async () =>
            {
                var page = await store.ListAsync(query, Synthetic.OperatorCaller, CancellationToken.None);
                if (page.Requests.Count != Page)
                {
                    throw new InvalidOperationException(Report.Invariant($"The list returned {page.Requests.Count} requests, not {Page}."));
                }
            });
            if (rep >= 0)
            {
                getWall.Add(wall);
                getCpu.Add(cpu);
                listWall.Add(listWallNow);
                listCpu.Add(listCpuNow);
            }
        }
        Report.Row("GetRequest (audited), wall / CPU per call", Report.Ms(Repeated.Median(getWall)) + " / " + Report.Ms(Repeated.Median(getCpu)) + " ms",
            Report.Ratio(1));
        Report.Row(Report.Invariant($"ListRequests state = NEW, page of {Page}, wall"), Report.Ms(Repeated.Median(listWall)) + " ms",
            Report.Ratio(Repeated.MedianRatio(listWall, getWall)));
        Report.Row(Report.Invariant($"ListRequests state = NEW, page of {Page}, CPU"), Report.Ms(Repeated.Median(listCpu)) + " ms",
            Report.Ratio(Repeated.MedianRatio(listCpu, getCpu)));
    }

    /// <summary>Mean wall time and process CPU time per call, in milliseconds, over <paramref name="calls"/> calls one at a time.</summary>
    private static async Task<(double Wall, double Cpu)> MeasureAsync(int calls, Func<Task> call)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            await call();
        }
        var wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds / calls;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / calls);
    }

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
