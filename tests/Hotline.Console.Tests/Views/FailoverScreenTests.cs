using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Views;

/// <summary>The screen while the console moves between servers: which one it is on and that it failed over, in words, at 80x24 with no colour.</summary>
[Collection(HeadlessCollection.Name)]
public sealed class FailoverScreenTests
{
    [Fact]
    public void FailingOverAt80x24InMono_SaysWhichServerItIsOnAndTriesThenThatItFailedOver()
    {
        using var console = new ConsoleHarness([Requests.Make(1), Requests.Make(2, Urgency.Urgent)], colors: ColorMode.Monochrome);
        var now = console.Time.GetUtcNow();

        console.Feed(new ConnectionChanged(ConnectionStatus.Connected with { Server = "10.0.0.1:5171" }));
        Assert.StartsWith("anna │ on 10.0.0.1:5171 │ rev 100 │", console.Lines[23], StringComparison.Ordinal);

        console.Feed(new ConnectionChanged(new ConnectionStatus(LinkState.Retrying, now, now, "server unreachable; trying 10.0.0.2:5171") { Server = "10.0.0.2:5171" }));
        var offline = console.Lines;
        Assert.StartsWith("anna │ trying 10.0.0.2:5171 │ rev 100 │", offline[23], StringComparison.Ordinal);
        Assert.Contains(offline, l => l.StartsWith("OFFLINE since", StringComparison.Ordinal));

        console.Feed(new ConnectionChanged(ConnectionStatus.Connected with { Server = "10.0.0.2:5171", FailedOverFrom = "10.0.0.1:5171" }), Requests.Progress(101));
        var lines = console.Lines;
        Assert.DoesNotContain("OFFLINE", console.Screen, StringComparison.Ordinal);
        Assert.Equal(24, lines.Count(l => l.Length == 80));
        // With the panic key beside it, 80 columns leave room for the word, not the address (the banner named it while trying).
        Assert.Equal("anna │ failed over │ rev 101 │ 2 shown, 2 open │ bell on │ F12 panic", lines[23].TrimEnd());
    }

    [Fact]
    public void FailedOverOnAWideScreen_NamesTheServerToo()
    {
        using var console = new ConsoleHarness([Requests.Make(1)], width: 120, colors: ColorMode.Monochrome);

        console.Feed(new ConnectionChanged(ConnectionStatus.Connected with { Server = "10.0.0.2:5171", FailedOverFrom = "10.0.0.1:5171" }));

        Assert.StartsWith("anna │ connected to 10.0.0.2:5171, failed over │ rev 100 │", console.Lines[23], StringComparison.Ordinal);
    }
}
