namespace Hotline.Server.Flood;

/// <summary>
/// `Hotline:Intake`: how fast intake may submit, per caller and in total. A refused caller gets
/// RESOURCE_EXHAUSTED with a retry delay and retries with the same request_id, so a limit delays
/// a request but never loses it. The defaults are far above what a hotline's people can answer
/// and far below what fills a disk or starves the operators' consoles.
/// </summary>
public sealed class IntakeOptions : ICheckedOptions
{
    public const string Section = "Hotline:Intake";

    /// <summary>Sustained submissions per second allowed to one caller (integration key or operator).</summary>
    public double PerCallerPerSecond { get; set; } = 10;

    /// <summary>Submissions one caller may make at once before <see cref="PerCallerPerSecond"/> applies, e.g. a gateway flushing its backlog.</summary>
    public int Burst { get; set; } = 50;

    /// <summary>Sustained submissions per second from all callers together.</summary>
    public double GlobalPerSecond { get; set; } = 50;

    /// <summary>Submissions all callers together may make at once before <see cref="GlobalPerSecond"/> applies.</summary>
    public int GlobalBurst { get; set; } = 200;

    public IEnumerable<string> Problems() =>
        new[] { RateProblem(PerCallerPerSecond, nameof(PerCallerPerSecond)), RateProblem(GlobalPerSecond, nameof(GlobalPerSecond)),
            BurstProblem(Burst, nameof(Burst)), BurstProblem(GlobalBurst, nameof(GlobalBurst)) }.OfType<string>();

    private static string? RateProblem(double value, string name) =>
        double.IsFinite(value) && value > 0 ? null : $"{Section}:{name} must be a positive number; it is {value}.";

    private static string? BurstProblem(int value, string name) =>
        value >= 1 ? null : $"{Section}:{name} must be at least 1; it is {value}.";
}
