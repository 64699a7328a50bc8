using Hotline.Contract.V1;
using Xunit.Abstractions;

namespace Hotline.Console.Tests;

public sealed class QueueScreenTests(ITestOutputHelper output)
{
    [Fact]
    public void Queue_at_80x24_shows_every_part_of_the_screen()
    {
        using var console = new ConsoleHarness(
        [
            Requests.Make(1, message: Requests.Russian, language: "ru"),
            Requests.Make(2, Urgency.ImmediateDanger, Requests.Chechen, channel: Channel.Whatsapp, language: "ce"),
            Requests.Make(3, Urgency.Urgent, state: RequestState.Assigned, assignee: "operators/timur"),
        ]);
        var screen = console.Screen;
        output.WriteLine(screen);
        Assert.Equal(24, screen.TrimEnd('\n').Split('\n').Length);
        output.WriteLine($"table {console.Window.Table.Frame} viewport {console.Window.Viewport} h={console.Window.Table.Height}");
        var c00 = console.App.Driver!.Contents![0, 0];
        output.WriteLine($"[{c00.Grapheme}] [{console.App.Driver.Contents[0, 1].Grapheme}] lines: {string.Join(",", screen.Split('\n').Select(l => l.Length))}");
    }
}
