using Hotline.Domain;

namespace Hotline.Domain.Tests;

public class MonitoringReportTests
{
    private const int K = 5;
    private static readonly DateTimeOffset March = new(2026, 3, 4, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("  Chechnya ", "chechnya")]
    [InlineData("CHECHNYA", "chechnya")]
    [InlineData("North\t \nCaucasus", "north caucasus")]
    [InlineData("Ｍｏｓｃｏｗ", "moscow")]
    [InlineData("   ", "(none)")]
    [InlineData("", "(none)")]
    public void Normalise_TrimsFoldsCaseWidthAndWhiteSpace(string region, string expected) =>
        Assert.Equal(expected, MonitoringReport.Normalise(region));

    [Theory]
    [InlineData(2026, 1, 1, ReportPeriod.Week, "2026-W01")]
    [InlineData(2027, 1, 1, ReportPeriod.Week, "2026-W53")]
    [InlineData(2026, 3, 4, ReportPeriod.Week, "2026-W10")]
    [InlineData(2026, 3, 4, ReportPeriod.Month, "2026-03")]
    public void PeriodOf_LabelsIsoWeeksAndMonths(int year, int month, int day, ReportPeriod period, string expected) =>
        Assert.Equal(expected, MonitoringReport.PeriodOf(new DateOnly(year, month, day), period));

    [Fact]
    public void Build_CountsEachTagOnce_FoldsRareRegionsAndTags_AndLeavesOutRequestsOutsideTheRange()
    {
        var builder = new MonitoringReportBuilder(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31), ReportPeriod.Month, K);
        for (var i = 0; i < 6; i++)
        {
            builder.Add(Facts("Ingushetia", ["legal", "shelter"]));
        }
        builder.Add(Facts("Ingushetia", ["Legal", "legal"]));
        builder.Add(Facts("a street where someone lives", ["legal"]));
        builder.Add(Facts("Ingushetia", ["legal"]) with { CreateTime = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero) });
        builder.Add(Facts("Ingushetia", ["legal"]) with { CreateTime = new DateTimeOffset(2026, 2, 28, 23, 59, 59, TimeSpan.Zero) });

        var report = builder.Build();

        Assert.Equal(7, Total(report, "ingushetia", "legal"));
        Assert.Equal(6, Total(report, "ingushetia", "shelter"));
        Assert.DoesNotContain(report.Cells, c => c.Key.Region.Contains("street", StringComparison.Ordinal));
        Assert.Contains(report.Groups, g => g.Region == MonitoringReport.OtherValue && g.Tag == "legal" && g.Withheld);
        Assert.DoesNotContain("street", report.ToCsv() + report.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_QuotesWhatNeedsIt_AndWritesWithheldCountsAsTheMark()
    {
        var builder = new MonitoringReportBuilder(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31), ReportPeriod.Month, K);
        for (var i = 0; i < 7; i++)
        {
            builder.Add(Facts("kabardino, balkaria", []));
        }
        builder.Add(Facts("kabardino, balkaria", []) with { Channel = Channel.Sms });

        var report = builder.Build();

        // 1 by SMS is withheld; alone it would follow from the total, so the 7 by Signal is withheld
        // too; and then "two cells below 5 summing to 8" pins both at 4, so the total goes as well.
        Assert.Equal(
            "period,region,tag,channel,urgency,resolution,count\r\n" +
            "2026-03,\"kabardino, balkaria\",(none),SMS,URGENT,OPEN,<5\r\n" +
            "2026-03,\"kabardino, balkaria\",(none),SIGNAL,URGENT,OPEN,<5\r\n",
            report.ToCsv());
        Assert.True(Assert.Single(report.Groups).Withheld);
        Assert.Contains("total <5", report.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void Suppression_OfAGroupWithManySmallCells_WithholdsThemAll()
    {
        var counts = Enumerable.Range(1, 9).ToDictionary(
            c => new ReportKey("2026-03", "r", "t", (Channel)c, Urgency.Urgent, Resolution.Unspecified), _ => 1);

        var (cells, groups) = ReportSuppression.Apply(counts, K);

        Assert.All(cells, c => Assert.True(c.Withheld));
        Assert.True(Assert.Single(groups).Withheld);
    }

    /// <summary>
    /// Random tables: no shown cell or total is below k, and for every group whose total is shown,
    /// an exhaustive search over the values the withheld cells could take, given the total, the shown
    /// cells, "at least 1" and (reading the mark literally) "below k", finds at least two values for
    /// each withheld cell: none can be worked out.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Suppression_LeavesNoCellBelowK_AndNoWithheldCellRecoverableFromTheTotal(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var counts = new Dictionary<ReportKey, int>();
            var cells = random.Next(1, 7);
            for (var c = 0; c < cells; c++)
            {
                var key = new ReportKey("2026-03", "r" + random.Next(2), "t", (Channel)random.Next(1, 10), (Urgency)random.Next(1, 4), Resolution.Unspecified);
                counts[key] = random.Next(3) == 0 ? random.Next(5, 30) : random.Next(1, 9);
            }

            var (shown, groups) = ReportSuppression.Apply(counts, K);

            Assert.All(shown.Where(c => !c.Withheld), c => Assert.True(c.Count >= K));
            Assert.All(groups.Where(g => !g.Withheld), g => Assert.True(g.Total >= K));
            foreach (var group in groups)
            {
                var members = shown.Where(c => c.Key.Region == group.Region).ToList();
                if (group.Withheld)
                {
                    Assert.All(members, m => Assert.True(m.Withheld));
                    continue;
                }
                Assert.Equal(counts.Where(c => c.Key.Region == group.Region).Sum(c => c.Value), group.Total);
                var withheld = members.Where(m => m.Withheld).ToList();
                if (withheld.Count == 0)
                {
                    continue;
                }
                var hidden = group.Total - members.Where(m => !m.Withheld).Sum(m => m.Count);
                // Reading the mark as "at least 1": each withheld cell lies in [1, hidden - (n - 1)], two values or more.
                Assert.True(hidden >= withheld.Count + 1, $"withheld cells of group {group.Region} are all 1");
                var possible = PossibleValues(withheld.Count, hidden, K - 1);
                Assert.True(possible.Count == 0 || possible.All(p => p.Count >= 2),
                    $"a withheld cell of group {group.Region} can be worked out reading the mark as below {K}");
            }
        }
    }

    /// <summary>For each of <paramref name="cells"/> withheld cells summing to <paramref name="sum"/>, each between 1 and <paramref name="upper"/>: the values it can take.</summary>
    private static List<HashSet<int>> PossibleValues(int cells, int sum, int upper)
    {
        var possible = Enumerable.Range(0, cells).Select(_ => new HashSet<int>()).ToList();
        var values = new int[cells];
        void Fill(int at, int left)
        {
            if (at == cells - 1)
            {
                if (left >= 1 && left <= upper)
                {
                    values[at] = left;
                    for (var i = 0; i < cells; i++)
                    {
                        possible[i].Add(values[i]);
                    }
                }
                return;
            }
            for (var v = 1; v <= Math.Min(upper, left - 1); v++)
            {
                values[at] = v;
                Fill(at + 1, left - v);
            }
        }
        if (cells > 0)
        {
            Fill(0, sum);
        }
        return possible.Any(p => p.Count == 0) ? [] : possible;
    }

    private static int Total(MonitoringReport report, string region, string tag) =>
        report.Groups.Single(g => g.Region == region && g.Tag == tag).Total;

    private static ReportFacts Facts(string region, IReadOnlyList<string> tags) =>
        new(March, region, tags, Channel.Signal, Urgency.Urgent, Resolution.Unspecified);
}
