using System.Globalization;
using System.Text;

namespace Hotline.Domain;

/// <summary>How a monitoring report groups requests in time. Values match the contract's numbers.</summary>
public enum ReportPeriod
{
    Unspecified = 0,
    Week = 1,
    Month = 2,
}

/// <summary>The values one cell counts: a period, a normalised region and tag, and the clear enums.</summary>
public sealed record ReportKey(string Period, string Region, string Tag, Channel Channel, Urgency Urgency, Resolution Resolution);

/// <summary>One cell; <see cref="Count"/> is only shown when not <see cref="Withheld"/>.</summary>
public sealed record ReportCell(ReportKey Key, int Count, bool Withheld);

/// <summary>The total of the cells sharing a period, region and tag.</summary>
public sealed record ReportGroup(string Period, string Region, string Tag, int Total, bool Withheld);

/// <summary>
/// A monitoring report: counts without identities. Built in two steps so a report over a long
/// range holds counts, not requests: <see cref="MonitoringReportBuilder"/> counts requests a batch
/// at a time, then <see cref="MonitoringReportBuilder.Build"/> folds rare labels and withholds
/// small counts. What it reveals and how it withholds is in docs/security.md ("Monitoring report").
/// </summary>
public sealed record MonitoringReport(DateOnly StartDate, DateOnly EndDate, ReportPeriod Period, int MinimumCount,
    IReadOnlyList<ReportCell> Cells, IReadOnlyList<ReportGroup> Groups)
{
    /// <summary>The longest range one report may cover.</summary>
    public const int MaxRangeDays = 3 * 366;

    /// <summary>The k no report may go below, whatever the settings.</summary>
    public const int LowestMinimumCount = 2;

    public const string NoValue = "(none)";
    public const string OtherValue = "(other)";

    public string Mark => "<" + MinimumCount.ToString(CultureInfo.InvariantCulture);

    /// <summary>RFC 4180 CSV: a header row, then one row per cell, withheld counts as <see cref="Mark"/>.</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("period,region,tag,channel,urgency,resolution,count\r\n");
        foreach (var cell in Cells)
        {
            csv.Append(Quote(cell.Key.Period)).Append(',').Append(Quote(cell.Key.Region)).Append(',').Append(Quote(cell.Key.Tag)).Append(',')
                .Append(Name(cell.Key.Channel)).Append(',').Append(Name(cell.Key.Urgency)).Append(',').Append(ResolutionName(cell.Key.Resolution)).Append(',')
                .Append(Shown(cell.Count, cell.Withheld)).Append("\r\n");
        }
        return csv.ToString();
    }

    /// <summary>A plain-text table: per group a heading line with its total, then its cells indented.</summary>
    public string ToTable()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Monitoring report {StartDate:yyyy-MM-dd} to {EndDate:yyyy-MM-dd}, by {(Period == ReportPeriod.Week ? "ISO week" : "month")} (UTC).\n");
        text.Append(CultureInfo.InvariantCulture, $"{Mark} marks a withheld count: below {MinimumCount}, or withheld so that a total cannot reveal one that is.\n");
        text.Append("A request with several tags is counted under each; rare regions and tags are shown as (other).\n");
        if (Cells.Count == 0)
        {
            text.Append("\nNo requests were received in this range.\n");
            return text.ToString();
        }
        var cells = Cells.ToLookup(c => (c.Key.Period, c.Key.Region, c.Key.Tag));
        foreach (var group in Groups)
        {
            text.Append('\n').Append(group.Period).Append("  region ").Append(group.Region).Append("  tag ").Append(group.Tag)
                .Append("  total ").Append(Shown(group.Total, group.Withheld)).Append('\n');
            foreach (var cell in cells[(group.Period, group.Region, group.Tag)])
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"  {Name(cell.Key.Channel),-10} {Name(cell.Key.Urgency),-16} {ResolutionName(cell.Key.Resolution),-17} {Shown(cell.Count, cell.Withheld),6}\n");
            }
        }
        return text.ToString();
    }

    /// <summary>The label of the period holding <paramref name="day"/>: <c>2026-W48</c> (ISO week) or <c>2026-11</c>.</summary>
    public static string PeriodOf(DateOnly day, ReportPeriod period) => period switch
    {
        ReportPeriod.Week => ISOWeek.GetYear(day.ToDateTime(TimeOnly.MinValue)).ToString("D4", CultureInfo.InvariantCulture)
            + "-W" + ISOWeek.GetWeekOfYear(day.ToDateTime(TimeOnly.MinValue)).ToString("D2", CultureInfo.InvariantCulture),
        ReportPeriod.Month => day.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(period)),
    };

    /// <summary>
    /// Free text as a report groups it: NFKC, trimmed, white-space runs as one space, lower case
    /// (invariant culture, so the result does not depend on the server's locale); <see cref="NoValue"/> when empty.
    /// </summary>
    public static string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var folded = string.Join(' ', text.Normalize(NormalizationForm.FormKC)
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToLowerInvariant();
        return folded.Length == 0 ? NoValue : folded;
    }

    /// <summary>An enum as the contract spells it, without its prefix: <c>WEB_FORM</c>, <c>IMMEDIATE_DANGER</c>.</summary>
    public static string Name<T>(T value) where T : struct, Enum
    {
        var name = value.ToString();
        var snake = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                snake.Append('_');
            }
            snake.Append(char.ToUpperInvariant(name[i]));
        }
        return snake.ToString();
    }

    private static string ResolutionName(Resolution resolution) => resolution == Resolution.Unspecified ? "OPEN" : Name(resolution);

    private string Shown(int count, bool withheld) => withheld ? Mark : count.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>
/// Counts requests into report cells, a batch at a time. Memory grows with the distinct
/// (period, region, tag, channel, urgency, resolution) combinations seen, never with the requests;
/// at most <see cref="MaxDistinctLabels"/> distinct regions and as many tags are told apart, later
/// new ones counting as <see cref="MonitoringReport.OtherValue"/>, so free text cannot grow it without bound.
/// </summary>
public sealed class MonitoringReportBuilder
{
    public const int MaxDistinctLabels = 10_000;

    private readonly DateOnly _start;
    private readonly DateOnly _end;
    private readonly ReportPeriod _period;
    private readonly int _minimumCount;
    private readonly Dictionary<ReportKey, int> _counts = [];
    private readonly Dictionary<string, int> _regionRequests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _tagRequests = new(StringComparer.Ordinal);

    public MonitoringReportBuilder(DateOnly start, DateOnly end, ReportPeriod period, int minimumCount)
    {
        if (period is not (ReportPeriod.Week or ReportPeriod.Month))
        {
            throw new ArgumentOutOfRangeException(nameof(period));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumCount, MonitoringReport.LowestMinimumCount);
        _start = start;
        _end = end;
        _period = period;
        _minimumCount = minimumCount;
    }

    /// <summary>Requests received from this time on are counted (midnight UTC of the start date).</summary>
    public DateTimeOffset From => new(_start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Requests received before this time are counted (midnight UTC after the end date).</summary>
    public DateTimeOffset Until => new(_end.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>
    /// Checks a range and k as a request gives them; throws INVALID_ARGUMENT naming the field.
    /// <paramref name="configuredMinimum"/> is the installation's k, which a caller may raise, never lower.
    /// </summary>
    public static MonitoringReportBuilder Parse(string startDate, string endDate, ReportPeriod period, int minimumCount, int configuredMinimum)
    {
        var violations = new List<FieldViolation>();
        var start = ParseDate(startDate, "start_date", violations);
        var end = ParseDate(endDate, "end_date", violations);
        if (start is { } s && end is { } e && (e < s || e.DayNumber - s.DayNumber > MonitoringReport.MaxRangeDays))
        {
            violations.Add(new FieldViolation("end_date", $"must be on or after start_date and at most {MonitoringReport.MaxRangeDays} days after it"));
        }
        if (period is not (ReportPeriod.Week or ReportPeriod.Month))
        {
            violations.Add(new FieldViolation("period", "must be REPORT_PERIOD_WEEK or REPORT_PERIOD_MONTH"));
        }
        if (minimumCount != 0 && minimumCount < configuredMinimum)
        {
            violations.Add(new FieldViolation("minimum_count", $"must be 0 (the setting, {configuredMinimum}) or at least {configuredMinimum}"));
        }
        if (violations.Count > 0)
        {
            DomainException.ThrowInvalid(violations);
        }
        return new MonitoringReportBuilder(start!.Value, end!.Value, period, minimumCount == 0 ? configuredMinimum : minimumCount);
    }

    public void Add(ReportFacts request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.CreateTime < From || request.CreateTime >= Until)
        {
            return;
        }
        var period = MonitoringReport.PeriodOf(DateOnly.FromDateTime(request.CreateTime.UtcDateTime), _period);
        var region = Label(_regionRequests, MonitoringReport.Normalise(request.Region));
        var tags = request.Tags.Count == 0
            ? [MonitoringReport.NoValue]
            : request.Tags.Select(MonitoringReport.Normalise).Distinct(StringComparer.Ordinal).Select(t => Label(_tagRequests, t)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var tag in tags)
        {
            var key = new ReportKey(period, region, tag, request.Channel, request.Urgency, request.Resolution);
            _counts[key] = _counts.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>
    /// Folds regions and tags given by fewer than k requests into <see cref="MonitoringReport.OtherValue"/>,
    /// then withholds small counts (<see cref="ReportSuppression"/>).
    /// </summary>
    public MonitoringReport Build()
    {
        var folded = new Dictionary<ReportKey, int>();
        foreach (var (key, count) in _counts)
        {
            var region = _regionRequests.GetValueOrDefault(key.Region, _minimumCount) < _minimumCount ? MonitoringReport.OtherValue : key.Region;
            var tag = _tagRequests.GetValueOrDefault(key.Tag, _minimumCount) < _minimumCount ? MonitoringReport.OtherValue : key.Tag;
            var target = key with { Region = region, Tag = tag };
            folded[target] = folded.GetValueOrDefault(target) + count;
        }
        var (cells, groups) = ReportSuppression.Apply(folded, _minimumCount);
        return new MonitoringReport(_start, _end, _period, _minimumCount, cells, groups);
    }

    /// <summary>Counts one request under a label, the special labels aside, and caps how many labels are told apart.</summary>
    private static string Label(Dictionary<string, int> requests, string label)
    {
        if (label is MonitoringReport.NoValue)
        {
            return label;
        }
        if (!requests.ContainsKey(label) && requests.Count >= MaxDistinctLabels)
        {
            return MonitoringReport.OtherValue;
        }
        requests[label] = requests.GetValueOrDefault(label) + 1;
        return label;
    }

    private static DateOnly? ParseDate(string text, string field, List<FieldViolation> violations)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day.Year >= 2000)
        {
            return day;
        }
        violations.Add(new FieldViolation(field, "must be a date as YYYY-MM-DD"));
        return null;
    }
}

/// <summary>
/// Withholds counts so that no count below k is shown, or can be worked out from what is shown.
/// Each group (cells sharing period, region and tag) has its total shown, so within a group the
/// withheld cells' sum is known: total minus the shown cells. A reader also knows each withheld
/// cell is at least 1 (zero cells are left out) and, reading the mark literally, below k. The
/// algorithm withholds every count below k, then, while any withheld cell's value would follow from
/// those facts (a lone withheld cell; two withheld cells summing to 2; four summing to 4(k-1)...),
/// also withholds the group's smallest shown cell; if every cell is withheld and one still follows,
/// the total is withheld too. A group whose total is below k has its total withheld, and then all
/// its cells are below k and withheld as well.
/// </summary>
public static class ReportSuppression
{
    public static (IReadOnlyList<ReportCell> Cells, IReadOnlyList<ReportGroup> Groups) Apply(IReadOnlyDictionary<ReportKey, int> counts, int minimumCount)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var cells = new List<ReportCell>(counts.Count);
        var groups = new List<ReportGroup>();
        var ordered = counts.Where(c => c.Value > 0).OrderBy(c => c.Key.Period, StringComparer.Ordinal).ThenBy(c => c.Key.Region, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Tag, StringComparer.Ordinal).ThenBy(c => c.Key.Channel).ThenBy(c => c.Key.Urgency).ThenBy(c => c.Key.Resolution);
        foreach (var group in ordered.GroupBy(c => (c.Key.Period, c.Key.Region, c.Key.Tag)))
        {
            var members = group.ToList();
            var withheld = members.Select(m => m.Value < minimumCount).ToArray();
            var total = members.Sum(m => m.Value);
            var totalWithheld = total < minimumCount;
            while (!totalWithheld && AnyDetermined(members.Select(m => m.Value).ToList(), withheld, total, minimumCount))
            {
                var next = -1;
                for (var i = 0; i < members.Count; i++)
                {
                    if (!withheld[i] && (next < 0 || members[i].Value < members[next].Value))
                    {
                        next = i;
                    }
                }
                if (next < 0)
                {
                    totalWithheld = true;
                    break;
                }
                withheld[next] = true;
            }
            for (var i = 0; i < members.Count; i++)
            {
                cells.Add(new ReportCell(members[i].Key, withheld[i] ? 0 : members[i].Value, withheld[i]));
            }
            groups.Add(new ReportGroup(group.Key.Period, group.Key.Region, group.Key.Tag, totalWithheld ? 0 : total, totalWithheld));
        }
        return (cells, groups);
    }

    /// <summary>
    /// Whether a reader who knows the total, the shown counts, that each withheld count is at least 1,
    /// and (taking the mark literally) at most k-1, could pin down any withheld count: true when a
    /// cell's possible range, under either reading, is a single value.
    /// </summary>
    public static bool AnyDetermined(IReadOnlyList<int> values, IReadOnlyList<bool> withheld, int total, int minimumCount)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(withheld);
        var hidden = total - values.Where((_, i) => !withheld[i]).Sum();
        var count = withheld.Count(w => w);
        if (count == 0)
        {
            return false;
        }
        // Read without the mark's bound, no withheld cell can exceed the hidden sum: that is its upper bound (and no product overflows).
        foreach (var upper in (long[])[minimumCount - 1, Math.Max(1, hidden)])
        {
            // Every withheld cell shares the same range, so checking one range checks them all.
            var others = count - 1;
            var low = Math.Max(1, hidden - others * upper);
            var high = Math.Min(upper, hidden - others);
            // low > high: the reading is wrong (a cell withheld to protect another is k or more), which pins nothing.
            if (low == high)
            {
                return true;
            }
        }
        return false;
    }
}
