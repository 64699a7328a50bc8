using Hotline.Domain;

namespace Hotline.Server.Escalation;

/// <summary>
/// `Hotline:Escalation`: how long an unclaimed request of each urgency may wait before it is overdue
/// (first) and before supervisors are told (second). The defaults and why are in the README
/// ("Supervising"); tests and the end-to-end run shorten them.
/// </summary>
public sealed class EscalationOptions : ICheckedOptions
{
    public const string Section = "Hotline:Escalation";

    public EscalationThresholdOptions ImmediateDanger { get; set; } = new() { First = TimeSpan.FromMinutes(5), Second = TimeSpan.FromMinutes(15) };

    public EscalationThresholdOptions Urgent { get; set; } = new() { First = TimeSpan.FromMinutes(30), Second = TimeSpan.FromMinutes(60) };

    public EscalationThresholdOptions Routine { get; set; } = new() { First = TimeSpan.FromMinutes(60), Second = TimeSpan.FromMinutes(90) };

    /// <summary>How long the pass waits before trying again after it could not record (a lockdown, a failing disk).</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    public EscalationRules Rules => new(
        new(ImmediateDanger.First, ImmediateDanger.Second),
        new(Urgent.First, Urgent.Second),
        new(Routine.First, Routine.Second));

    public IEnumerable<string> Problems()
    {
        foreach (var problem in Rules.Problems())
        {
            yield return $"{Section}:{problem}";
        }
        if (RetryInterval < TimeSpan.FromMilliseconds(10) || RetryInterval > TimeSpan.FromMinutes(10))
        {
            yield return $"{Section}:RetryInterval must be between 10 ms and 10 minutes; it is {RetryInterval}.";
        }
    }
}

/// <summary>One urgency's two thresholds (`First`, `Second`, as d.hh:mm:ss).</summary>
public sealed class EscalationThresholdOptions
{
    public TimeSpan First { get; set; }

    public TimeSpan Second { get; set; }
}
