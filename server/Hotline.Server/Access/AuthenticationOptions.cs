namespace Hotline.Server.Access;

/// <summary>`Hotline:Authentication`: limits on failed authentication per source address.</summary>
public sealed class AuthenticationOptions : ICheckedOptions
{
    public const string Section = "Hotline:Authentication";

    /// <summary>Failed authentications a source may make in one window before every call from it is refused.</summary>
    public int MaxFailures { get; set; } = 10;

    /// <summary>How long a window lasts; a source that reached the limit waits until its window ends.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<string> Problems()
    {
        if (MaxFailures < 1)
        {
            yield return $"{Section}:MaxFailures must be at least 1; it is {MaxFailures}.";
        }
        if (FailureWindow < TimeSpan.FromSeconds(1) || FailureWindow > TimeSpan.FromDays(1))
        {
            yield return $"{Section}:FailureWindow must be between 00:00:01 and 1.00:00:00 (d.hh:mm:ss); it is {FailureWindow}.";
        }
    }
}
