namespace Hotline.Server.Store;

/// <summary>Retention's settings, at the top of the `Hotline` section (see <see cref="RetentionService"/>).</summary>
public sealed class RetentionOptions : ICheckedOptions
{
    public const string Section = "Hotline";

    /// <summary>
    /// Closed requests are purged this many days after they were closed; 0 turns retention off.
    /// Fractions are allowed (0.5 is twelve hours).
    /// </summary>
    public double RetentionDays { get; set; }

    /// <summary>How often the retention job looks for closed requests past <see cref="RetentionDays"/>.</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<string> Problems()
    {
        if (!double.IsFinite(RetentionDays) || RetentionDays < 0)
        {
            yield return $"{Section}:RetentionDays must be 0 (keep closed requests) or a number of days after closing; it is {RetentionDays}.";
        }
        // Tests run the job every few hundred milliseconds; nothing sensible runs it more often.
        if (RetentionCheckInterval < TimeSpan.FromMilliseconds(100) || RetentionCheckInterval > TimeSpan.FromDays(1))
        {
            yield return $"{Section}:RetentionCheckInterval must be between 00:00:00.1 and 1.00:00:00 (d.hh:mm:ss); it is {RetentionCheckInterval}.";
        }
    }
}
