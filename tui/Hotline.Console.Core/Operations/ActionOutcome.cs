namespace Hotline.Console.Operations;

/// <summary>What the operator is told after an action: done, or refused and why.</summary>
public sealed record ActionOutcome(bool Succeeded, string Message)
{
    public static ActionOutcome Done(string message) => new(true, message);

    public static ActionOutcome Refused(string message) => new(false, message);
}
