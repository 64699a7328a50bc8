using System.Globalization;
using System.Text.RegularExpressions;

namespace Hotline.Console.Presentation;

/// <summary>
/// Reads the time an operator types for a follow-up: a clock time ("18:00", today, or tomorrow
/// once it has passed), "tomorrow" or "tomorrow 9:30", a span ("in 3 days", "2h", "in 30 min",
/// "1w"), or a date and time ("2026-12-24 10:00"), in the operator's time zone.
/// </summary>
public static partial class FollowUpTime
{
    /// <summary>What the dialog shows under the field.</summary>
    public const string Examples = "18:00 · tomorrow 9:30 · in 3 days · 2h · 2026-12-24 10:00";

    [GeneratedRegex(@"^(?:in\s+)?(\d{1,3})\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)$", RegexOptions.IgnoreCase)]
    private static partial Regex SpanPattern();

    [GeneratedRegex(@"^(?:(tomorrow|today)\s*)?(?:(\d{1,2})[:.](\d{2}))?$", RegexOptions.IgnoreCase)]
    private static partial Regex ClockPattern();

    /// <returns>The moment, or null with <paramref name="problem"/> saying what to type instead.</returns>
    public static DateTimeOffset? Parse(string text, DateTimeOffset now, TimeZoneInfo zone, out string problem)
    {
        problem = "";
        var input = text.Trim();
        if (input.Length == 0)
        {
            problem = "Say when: " + Examples;
            return null;
        }
        if (SpanPattern().Match(input) is { Success: true } span)
        {
            var count = int.Parse(span.Groups[1].Value, CultureInfo.InvariantCulture);
            var unit = char.ToLowerInvariant(span.Groups[2].Value[0]);
            return now + unit switch
            {
                'm' => TimeSpan.FromMinutes(count),
                'h' => TimeSpan.FromHours(count),
                'd' => TimeSpan.FromDays(count),
                _ => TimeSpan.FromDays(7 * count),
            };
        }
        var local = TimeZoneInfo.ConvertTime(now, zone);
        if (ClockPattern().Match(input) is { Success: true } clock && (clock.Groups[1].Success || clock.Groups[2].Success))
        {
            var tomorrow = clock.Groups[1].Value.Equals("tomorrow", StringComparison.OrdinalIgnoreCase);
            var (hour, minute) = clock.Groups[2].Success
                ? (int.Parse(clock.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(clock.Groups[3].Value, CultureInfo.InvariantCulture))
                : (9, 0);
            if (hour > 23 || minute > 59)
            {
                problem = "No such time of day: use 00:00 to 23:59.";
                return null;
            }
            var day = local.Date.AddDays(tomorrow ? 1 : 0);
            var at = At(day, hour, minute, zone);
            // A bare clock time already past today means the next one.
            return !tomorrow && !clock.Groups[1].Success && at <= now ? At(day.AddDays(1), hour, minute, zone) : at;
        }
        if (DateTime.TryParseExact(input, ["yyyy-MM-dd HH:mm", "yyyy-MM-dd H:mm", "yyyy-MM-dd"], CultureInfo.InvariantCulture,
            DateTimeStyles.None, out var exact))
        {
            return At(exact.Date, exact.Hour, exact.Minute, zone);
        }
        problem = "Not a time I can read. Try " + Examples;
        return null;
    }

    private static DateTimeOffset At(DateTime day, int hour, int minute, TimeZoneInfo zone)
    {
        var wall = new DateTime(day.Year, day.Month, day.Day, hour, minute, 0, DateTimeKind.Unspecified);
        // A wall time skipped by a DST change is taken an hour later.
        if (zone.IsInvalidTime(wall))
        {
            wall = wall.AddHours(1);
        }
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }
}
