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
        { new ConnectionStatus(LinkState.Retrying, Now.AddSeconds(-3), Now.AddSeconds(300)), "reconnecting in 5 min" },
        { SignedOut(SignOutReason.TokenRevoked), "signed out: token revoked" },
        { SignedOut(SignOutReason.AccountDisabled), "signed out: account disabled" },
        { SignedOut(SignOutReason.TokenRejected), "signed out: token not accepted" },
        { SignedOut(SignOutReason.NotPermitted), "signed out: not allowed to watch" },
    };

    [Theory]
    [MemberData(nameof(Links))]
    public void Link_SaysConnectedReconnectingOrOfflineSince(ConnectionStatus link, string expected) =>
        Assert.Equal(expected, StatusLine.Link(link, Now, TimeZoneInfo.Utc));

    [Fact]
    public void Format_NamesWhoLinkRevisionCountsAndBell() =>
        Assert.Equal("anna │ connected │ rev 1234 │ 3 shown, 10 open │ bell off",
            StatusLine.Format(Requests.Anna, ConnectionStatus.Connected, 1234, 3, 10, bell: false, Now, TimeZoneInfo.Utc));

    private const string Svetlana = "светлана.александровна-ковалёва";

    private static readonly ConnectionStatus Unreachable = new(LinkState.Retrying, Now.AddMinutes(-5), Now.AddSeconds(20), "server unreachable");

    public static TheoryData<string, ConnectionStatus, int, string> FittedLines => new()
    {
        { "anna", ConnectionStatus.Connected, 80, "anna │ connected │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { "anna", Unreachable, 120, "anna │ offline since 11:55, reconnecting in 20 s │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { "anna", Unreachable, 80, "anna │ reconnecting in 20 s │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { "anna", SignedOut(SignOutReason.TokenRevoked), 80, "anna │ signed out: token revoked │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { Svetlana, ConnectionStatus.Connected, 80, "светлана.александровна-ков… │ connected │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { Svetlana, ConnectionStatus.Connected, 120, "светлана.александровна-ковалёва │ connected │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { Svetlana, Unreachable, 120, "светлана.александровна-ковалёва │ offline since 11:55, reconnecting in 20 s │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { Svetlana, Unreachable, 80, "светлана.александровна… │ retry in 20 s │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { Svetlana, SignedOut(SignOutReason.AccountDisabled), 120,
            "светлана.александровна-ковалёва │ signed out: account disabled │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { Svetlana, SignedOut(SignOutReason.AccountDisabled), 80, "светлана.александровна-ко… │ signed out │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { "anna", OnFirst, 80, "anna │ connected to 10.0.0.1:5171 │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { "anna", OnFirst, 68, "anna │ on 10.0.0.1:5171 │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { "anna", FailedOver, 120, "anna │ connected to 10.0.0.2:5171, failed over │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { "anna", FailedOver, 80, "anna │ failed over to 10.0.0.2:5171 │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { Svetlana, FailedOver, 80, "светлана.александровна-к… │ failed over │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { "anna", TryingNext, 120, "anna │ reconnecting to 10.0.0.2:5171 now │ rev 1234 │ 3 shown, 10 open │ bell off" },
        { "anna", TryingNext, 80, "anna │ trying 10.0.0.2:5171 now │ rev 1234 │ 3 shown, 10 open │ bell off" },
    };

    private static readonly ConnectionStatus OnFirst = ConnectionStatus.Connected with { Server = "10.0.0.1:5171" };

    private static readonly ConnectionStatus FailedOver = ConnectionStatus.Connected with { Server = "10.0.0.2:5171", FailedOverFrom = "10.0.0.1:5171" };

    private static readonly ConnectionStatus TryingNext =
        new(LinkState.Retrying, Now.AddSeconds(-1), Now, "server unreachable; trying 10.0.0.2:5171") { Server = "10.0.0.2:5171" };

    [Theory]
    [MemberData(nameof(FittedLines))]
    public void FormatToWidth_KeepsWhoLinkRevisionCountsAndBell(string id, ConnectionStatus link, int width, string expected)
    {
        var line = StatusLine.Format(Requests.Operator(id, "Светлана А."), link, 1234, 3, 10, bell: false, Now, TimeZoneInfo.Utc, width);

        Assert.Equal(expected, line);
        Assert.True(line.Length <= width, line);
    }

    [Fact]
    public void FormatToWidth_NeverWiderThanAskedAndAlwaysNamesTheRevision()
    {
        ConnectionStatus[] links = [ConnectionStatus.Initial, ConnectionStatus.Connected, Unreachable, SignedOut(SignOutReason.NotPermitted), OnFirst, FailedOver, TryingNext,
            new(LinkState.Retrying, Now.AddDays(-2), Now.AddSeconds(3000), "too many failed sign-ins from this address")];
        foreach (var me in new[] { null, Requests.Anna, Requests.Operator(Svetlana, "Светлана А."), Requests.Operator(new string('ж', 40), "") })
        {
            foreach (var link in links)
            {
                foreach (var width in Enumerable.Range(20, 110))
                {
                    var line = StatusLine.Format(me, link, 987654321, 12000, 150000, bell: true, Now, TimeZoneInfo.Utc, width);
                    Assert.True(line.Length <= width, $"{width}: {line}");
                    if (width >= 80)
                    {
                        Assert.Contains("│ rev 987654321 │ 12000 shown, 150000 open │ bell on", line, StringComparison.Ordinal);
                    }
                }
            }
        }
    }

    public static TheoryData<ConnectionStatus, int, string> Banners => new()
    {
        { Unreachable, 120, "OFFLINE since 11:55:00 — queue may be out of date · server unreachable · retrying in 20 s · F5: retry now" },
        // At 80 columns the countdown is left to the status line, which keeps it.
        { Unreachable, 80, "OFFLINE since 11:55:00 — queue may be out of date · F5: retry now" },
        { new ConnectionStatus(LinkState.Retrying, Now.AddSeconds(-3), Now, "server unreachable"), 120,
            "OFFLINE since 11:59:57 — queue may be out of date · server unreachable · retrying now · F5: retry now" },
        // Too wide with the countdown: it goes first, then the problem, then the key.
        { new ConnectionStatus(LinkState.Retrying, Now.AddHours(-13), Now.AddSeconds(3), "the server is restarting"), 120,
            "OFFLINE since 2025-02-28 23:00:00 — queue may be out of date · the server is restarting · F5: retry now" },
        { new ConnectionStatus(LinkState.Retrying, Now.AddSeconds(-3), Now.AddSeconds(300), "too many failed sign-ins from this address"), 120,
            "OFFLINE since 11:59:57 — queue may be out of date · too many failed sign-ins from this address · F5: retry now" },
        { SignedOut(SignOutReason.TokenRevoked), 200,
            "SIGNED OUT: this token was revoked (or its account disabled). Ask an admin for a new token (operators rotate), then restart the console. "
            + "Queue as of 11:59:57." },
        { SignedOut(SignOutReason.AccountDisabled), 200,
            "SIGNED OUT: this account is disabled. Ask an admin to enable it (operators enable), then restart the console. Queue as of 11:59:57." },
        { SignedOut(SignOutReason.TokenRejected), 200,
            "SIGNED OUT: the server does not accept this token. Ask an admin for a new one (operators rotate), then restart the console with it. "
            + "Queue as of 11:59:57." },
        { SignedOut(SignOutReason.NotPermitted), 200,
            "SIGNED OUT: this account may not use the console (it needs an operator, supervisor or admin role). Ask an admin, then restart the console. "
            + "Queue as of 11:59:57." },
    };

    [Theory]
    [MemberData(nameof(Banners))]
    public void Banner_SaysOfflineSinceOrSignedOutAndWhatToDo(ConnectionStatus link, int width, string expected) =>
        Assert.Equal(expected, StatusLine.Banner(link, Now, TimeZoneInfo.Utc, width));

    [Fact]
    public void Banner_IsNullWhileNothingOnScreenCanBeStale()
    {
        Assert.Null(StatusLine.Banner(ConnectionStatus.Connected, Now, TimeZoneInfo.Utc, 80));
        Assert.Null(StatusLine.Banner(ConnectionStatus.Initial, Now, TimeZoneInfo.Utc, 80));
    }

    [Theory]
    [InlineData(SignOutReason.TokenRevoked, "Ask an admin for a new token (operators rotate), then restart the console.")]
    [InlineData(SignOutReason.AccountDisabled, "Ask an admin to enable it (operators enable), then restart the console.")]
    [InlineData(SignOutReason.TokenRejected, "Ask an admin for a new one (operators rotate), then restart the console with it.")]
    [InlineData(SignOutReason.NotPermitted, "Ask an admin, then restart the console.")]
    public void SignedOutBanner_At80Columns_KeepsTheReasonAndAdviceWholeInTwoRows(SignOutReason reason, string advice)
    {
        var banner = StatusLine.Banner(SignedOut(reason), Now, TimeZoneInfo.Utc, 80)!;
        var rows = banner.Split('\n');

        Assert.InRange(rows.Length, 1, 2);
        Assert.All(rows, row => Assert.True(row.Length <= 80, row));
        Assert.StartsWith("SIGNED OUT: ", banner, StringComparison.Ordinal);
        Assert.Contains(advice, banner.Replace('\n', ' '), StringComparison.Ordinal);
    }

    [Fact]
    public void Banner_FitsEveryWidth()
    {
        ConnectionStatus[] links = [Unreachable, SignedOut(SignOutReason.TokenRejected),
            new(LinkState.Retrying, Now.AddDays(-2), Now.AddSeconds(3000), "too many failed sign-ins from this address")];
        foreach (var link in links)
        {
            foreach (var width in Enumerable.Range(10, 200))
            {
                var banner = StatusLine.Banner(link, Now, TimeZoneInfo.Utc, width)!;
                Assert.All(banner.Split('\n'), row => Assert.True(row.Length <= width, $"{width}: {row}"));
            }
        }
    }

    private static ConnectionStatus SignedOut(SignOutReason reason) => ConnectionStatus.SignedOutFor(reason, Now.AddSeconds(-3));

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
