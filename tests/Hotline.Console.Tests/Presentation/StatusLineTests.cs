using Hotline.Console.Presentation;
using Hotline.Console.State;

namespace Hotline.Console.Tests.Presentation;

public sealed class StatusLineTests
{
    private static readonly DateTimeOffset Now = Requests.T0;

    public static TheoryData<ConnectionStatus, string> Links => new()
    {
        { ConnectionStatus.Connected, "connected" },
        { ConnectionStatus.Initial, "connecting…" },
        { new ConnectionStatus(LinkState.Retrying, Now.AddSeconds(-3), Now.AddSeconds(4.2)), "reconnecting in 5 s" },
        { new ConnectionStatus(LinkState.Retrying, Now.AddSeconds(-3), Now.AddSeconds(-1)), "reconnecting now" },
        { new ConnectionStatus(LinkState.Retrying, Now.AddMinutes(-5), Now.AddSeconds(20)), "offline since 11:55, reconnecting in 20 s" },
    };

    [Theory]
    [MemberData(nameof(Links))]
    public void Link_SaysConnectedReconnectingOrOfflineSince(ConnectionStatus link, string expected) =>
        Assert.Equal(expected, StatusLine.Link(link, Now, TimeZoneInfo.Utc));

    [Fact]
    public void Format_NamesWhoLinkRevisionCountsAndBell() =>
        Assert.Equal("anna │ connected │ rev 1234 │ 3 shown, 10 open │ bell off",
            StatusLine.Format(Requests.Anna, ConnectionStatus.Connected, 1234, 3, 10, bell: false, Now, TimeZoneInfo.Utc));

    [Theory]
    [InlineData(HintPlace.Actions)]
    [InlineData(HintPlace.View)]
    [InlineData(HintPlace.Status)]
    public void HintLines_FitEightyColumnsWithoutCutting(HintPlace place)
    {
        var hint = Keys.HintLine(place, 80);
        Assert.True(hint.Length <= 80);
        Assert.DoesNotContain("…", hint, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpText_FitsTheDialogAt80x24WithRoomToSpare()
    {
        var lines = Keys.HelpText().Split('\n');

        // The dialog shows 19 rows of text above its button at 80x24.
        Assert.True(lines.Length <= 17, string.Join('\n', lines));
        Assert.All(lines, line => Assert.True(line.Length <= Keys.HelpWidth, line));
        Assert.Equal(Keys.HelpNotes, lines[^2..]);
    }

    [Fact]
    public void EveryKey_IsInTheHelpTextAndEveryShownKeyInAHintLine()
    {
        var help = HelpColumns.Read(Keys.HelpText().Split('\n'), start: 0);
        var hints = string.Join(" ", Enum.GetValues<HintPlace>().Select(p => Keys.HintLine(p, 200)));
        foreach (var key in Keys.All)
        {
            Assert.Contains($"{key.Key} {key.Long}", help, StringComparison.Ordinal);
            if (key.Place != HintPlace.HelpOnly)
            {
                Assert.Contains($"{key.Key} {key.Short}", hints, StringComparison.Ordinal);
            }
        }
    }
}
