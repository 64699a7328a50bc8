using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;
using Terminal.Gui.Input;

namespace Hotline.Console.Tests.Views;

[Collection(HeadlessCollection.Name)]
public sealed class AssignDialogTests
{
    private static HelpRequest[] Queue() => [Requests.Make(1, message: Requests.Russian, language: "ru")];

    [Theory]
    [InlineData(ColorMode.Full)]
    [InlineData(ColorMode.Monochrome)]
    public void AssignList_PutsWhoIsConnectedFirst_AndSaysSoInWords(ColorMode colors)
    {
        using var console = new ConsoleHarness(Queue(), 80, 24, colors);
        var timur = Connected(Requests.Timur);
        var vera = Connected(Requests.Operator("vera", "Вера Д."));
        console.Feed(new IdentityKnown(Requests.Anna, [Requests.Anna, Requests.Lena, timur, vera]));
        console.Select(1);

        var dialog = console.WithDialog<AssignDialog>(new Key('A'), d =>
        {
            // The first row is the first connected person, by name: Timur before Вера.
            console.Press(Key.Enter);
        });

        string[] ids = ["(timur)", "(vera)", "(anna)", "(lena)"];
        var rows = dialog.Split('\n').Where(l => ids.Any(id => l.Contains(id, StringComparison.Ordinal))).ToList();
        Assert.Collection(rows,
            row => Assert.Matches(@"Timur B\. \(timur\)\s+● connected", row),
            row => Assert.Matches(@"Вера Д\. \(vera\)\s+● connected", row),
            row => Assert.DoesNotContain("connected", row.Split("Anna K. (anna)")[1], StringComparison.Ordinal),
            row => Assert.DoesNotContain("connected", row.Split("Lena S. (lena)")[1], StringComparison.Ordinal));
        Assert.Equal(["assign requests/r1 to 'operators/timur'"], console.Client.Calls);
    }

    [Fact]
    public void AssignList_NamesEachPersonOnce_AndLeavesOutTheDisabled()
    {
        using var console = new ConsoleHarness(Queue());
        var dev = Requests.Operator("dev", "dev", OperatorRole.Admin);
        var gone = Requests.Operator("gone", "Former colleague");
        gone.Disabled = true;
        console.Feed(new IdentityKnown(dev, [dev, Requests.Anna, gone]));
        console.Select(1);

        var dialog = console.WithDialog<AssignDialog>(new Key('A'), _ => console.Press(Key.Esc));

        Assert.Contains("Anna K. (anna)", dialog, StringComparison.Ordinal);
        Assert.Matches(@"┃dev\s+┃", dialog);
        Assert.DoesNotContain("dev (dev)", dialog, StringComparison.Ordinal);
        Assert.DoesNotContain("Former colleague", dialog, StringComparison.Ordinal);
        Assert.Empty(console.Client.Calls);
    }

    private static Operator Connected(Operator person)
    {
        var copy = person.Clone();
        copy.Connected = true;
        return copy;
    }
}
