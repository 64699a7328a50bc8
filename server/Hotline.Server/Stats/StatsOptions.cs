using Hotline.Domain;

namespace Hotline.Server.Stats;

/// <summary>Supervision figures and the monitoring report: the `Hotline:Stats` section.</summary>
public sealed class StatsOptions : ICheckedOptions
{
    public const string Section = "Hotline:Stats";

    /// <summary>
    /// The IANA time zone (such as <c>Europe/Berlin</c>) whose midnight starts "today" for the
    /// supervisor figures; UTC by default, so a hotline spread over time zones agrees on one day.
    /// </summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>
    /// k: the smallest count a monitoring report shows; smaller ones are withheld. A request may ask
    /// for more, never less. At least <see cref="MonitoringReport.LowestMinimumCount"/>.
    /// </summary>
    public int ReportMinimumCount { get; set; } = 5;

    public IEnumerable<string> Problems()
    {
        if (FindZone() is null)
        {
            yield return $"{Section}:TimeZone must be an IANA time zone such as UTC or Europe/Berlin; it is \"{TimeZone}\".";
        }
        if (ReportMinimumCount < MonitoringReport.LowestMinimumCount || ReportMinimumCount > 1_000)
        {
            yield return $"{Section}:ReportMinimumCount must be between {MonitoringReport.LowestMinimumCount} and 1000; it is {ReportMinimumCount}.";
        }
    }

    /// <summary>Midnight at the start of the day holding <paramref name="now"/> in <see cref="TimeZone"/>.</summary>
    public DateTimeOffset DayStart(DateTimeOffset now)
    {
        var zone = FindZone() ?? TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = local.Date;
        // A zone whose clocks skip midnight (a daylight-saving jump at 00:00) starts the day at the first valid time.
        while (zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(30);
        }
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
    }

    private TimeZoneInfo? FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return null;
        }
    }
}
