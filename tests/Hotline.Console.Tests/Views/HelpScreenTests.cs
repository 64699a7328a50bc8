using Hotline.Console.Presentation;
using Hotline.Console.Views;
using Hotline.Contract.V1;
using Terminal.Gui.Input;

namespace Hotline.Console.Tests.Views;

/// <summary>The help screen at 80x24: two columns of keys and the notes under them, nothing cut or hidden.</summary>
[Collection(HeadlessCollection.Name)]
public sealed class HelpScreenTests
{
    [Theory]
    [InlineData('?')]
    [InlineData('\0')]
    public void At80x24_EveryLineOfTheHelpIsOnScreen(char key)
    {
        using var console = new ConsoleHarness([Requests.Make(1)]);

        var help = console.WithDialog<HelpDialog>(key == '\0' ? Key.F1 : new Key(key), d => console.Press(Key.Enter));

        var screen = help.Split('\n');
        foreach (var line in Keys.HelpText().Split('\n').Where(l => l.Length > 0))
        {
            Assert.True(screen.Any(row => row.Contains(line, StringComparison.Ordinal)), $"'{line}' is not on screen:\n{help}");
        }
    }

    [Fact]
    public void At80x24_EveryKeyIsListedWithItsWholeDescription()
    {
        using var console = new ConsoleHarness([Requests.Make(1)]);

        var help = console.WithDialog<HelpDialog>(new Key('?'), d => console.Press(Key.Enter));

        var columns = HelpColumns.Read(help.Split('\n'), start: 1);
        foreach (var key in Keys.All)
        {
            Assert.True(columns.Contains($"{key.Key} {key.Long}", StringComparison.Ordinal), $"{key.Key} is not listed:\n{help}");
        }
        Assert.Contains("┃t     who read or changed it (audit)", help, StringComparison.Ordinal);
        Assert.Contains("OFFLINE over the hints: the link is down, the screen may be old; F5 retries.", help, StringComparison.Ordinal);
    }
}
