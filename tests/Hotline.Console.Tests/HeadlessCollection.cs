namespace Hotline.Console.Tests;

/// <summary>Terminal.Gui keeps some process-wide state: headless view tests run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeadlessCollection
{
    public const string Name = "Headless Terminal.Gui";
}
