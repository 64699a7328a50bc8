using Hotline.Console.Views;
using Hotline.Contract.V1;
using Terminal.Gui.Input;

namespace Hotline.Console.Tests.Views;

/// <summary>The operator sees "3 earlier contacts", presses e, and opens one of them.</summary>
[Collection(HeadlessCollection.Name)]
public sealed class RelatedDialogTests
{
    /// <summary>#5 is the requester's third contact: #3 is still open, #1 was closed two days ago.</summary>
    private static HelpRequest[] Queue()
    {
        var latest = Requests.Make(5, Urgency.Urgent, "Снова пишу: брата так и не отпустили.", language: "ru");
        latest.EarlierContactCount = 2;
        var open = Requests.Make(3, message: Requests.Russian, language: "ru", channel: Channel.Sms);
        open.EarlierContactCount = 1;
        return [Requests.Make(2, message: Requests.Chechen, language: "ce"), open, latest, FirstContact()];
    }

    private static HelpRequest FirstContact()
    {
        var first = Requests.Make(1, message: "Задержали брата, нужен адвокат.", state: RequestState.Closed, assignee: "operators/timur",
            channel: Channel.Phone, language: "ru", created: Requests.T0.AddDays(-2));
        first.ContactHandle = "•••••42";
        first.ClosedBy = "operators/timur";
        return first;
    }

    private static ConsoleHarness Console(HelpRequest[]? queue = null)
    {
        var console = new ConsoleHarness(queue ?? Queue());
        console.Client.Related["requests/r5"] = [console.Client.Stored["requests/r3"], FirstContact()];
        console.Select(5);
        return console;
    }

    [Fact]
    public void DetailPaneAndQueueRow_ShowTheEarlierContacts()
    {
        using var console = Console();

        var screen = console.Screen;

        Assert.Contains("Contact: @person5\n2 earlier contacts — press e to open", string.Join('\n', console.Lines.Select(l => l.Trim('│', ' '))),
            StringComparison.Ordinal);
        Assert.Matches(@"5 25m\s+urgent tg\s+new\s+ru\s+↻2 Снова пишу", screen);
        Assert.Matches(@"3 27m\s+sms\s+new\s+ru\s+↻1 Мужа задержали", screen);
        Assert.Equal(24, console.Lines.Count(l => l.Length == 80));
    }

    [Fact]
    public void E_ListsTheOtherRequestsNewestFirst()
    {
        using var console = Console();

        var dialog = console.WithDialog<RelatedDialog>(new Key('e'), d => console.Press(Key.Esc));

        Assert.Equal(["related requests/r5 size 50 token ''"], console.Client.Calls);
        var lines = dialog.Split('\n');
        Assert.Contains(lines, l => l.Contains("Same requester as #5", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("2 other requests from #5's requester, newest first", StringComparison.Ordinal));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"#\s+Received\s+Via\s+Urg\s+State\s+Who\s+Message"));
        var first = Array.FindIndex(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"3 12:03\s+sms\s+new\s+Мужа задержали"));
        var second = Array.FindIndex(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"1 2025-02-27 phone\s+closed timur\s+Задержали брата"));
        Assert.True(first > 0 && second == first + 1, dialog);
        Assert.Contains(lines, l => l.Contains("Enter open · Esc close", StringComparison.Ordinal));
    }

    [Fact]
    public void Enter_OnAnOpenRequestSelectsItInTheQueue()
    {
        using var console = Console();

        console.WithDialog<RelatedDialog>(new Key('e'), d => console.Press(Key.Enter));

        Assert.Equal("requests/r3", console.Window.Selected!.Name);
        Assert.Contains("#3 · routine · SMS · new, nobody holds it", console.Screen, StringComparison.Ordinal);
        Assert.StartsWith("View: all open", console.Lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Enter_OnARequestTheViewHides_SwitchesToAllOpen()
    {
        using var console = Console();
        console.Window.Table.SetFocus();
        console.WithDialog<FilterDialog>(new Key('f'), d =>
        {
            d.Language.SetFocus();
            console.Type("ce");
            console.Press(Key.Enter);
        });
        var latest = console.Client.Stored["requests/r5"];
        console.Client.Related["requests/r2"] = [latest];
        console.Select(2);

        console.WithDialog<RelatedDialog>(new Key('e'), d => console.Press(Key.Enter));

        Assert.Equal("requests/r5", console.Window.Selected!.Name);
        Assert.StartsWith("View: all open ", console.Lines[0], StringComparison.Ordinal);
        Assert.Contains("Showing #5: the view is now all open.", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void Enter_OnARequestClosedBeforeToday_ShowsItReadOnlyAsTheServerSentIt()
    {
        using var console = Console();
        string? shown = null;
        string? back = null;

        console.WithDialog<RelatedDialog>(new Key('e'), d =>
        {
            console.Press(Key.CursorDown);
            console.Press(Key.Enter);
            shown = console.Screen;
            console.Press(Key.Esc);
            back = console.Screen;
            console.Press(Key.Esc);
        });

        Assert.Contains("#1 is closed, so in no queue view; shown here read-only.", shown, StringComparison.Ordinal);
        Assert.Contains("#1 · routine · phone · closed (information given)", shown, StringComparison.Ordinal);
        Assert.Contains("Contact: •••••42", shown, StringComparison.Ordinal);
        Assert.Contains("Задержали брата, нужен адвокат.", shown, StringComparison.Ordinal);
        Assert.Contains("Esc back to the list", shown, StringComparison.Ordinal);
        Assert.Contains("2 other requests from #5's requester", back, StringComparison.Ordinal);
        Assert.DoesNotContain("read-only", back, StringComparison.Ordinal);
        Assert.Equal("requests/r5", console.Window.Selected!.Name);
    }

    [Fact]
    public void RequestWithoutAContactHandle_SaysSoWithoutAsking()
    {
        var queue = Queue();
        queue[2].ContactHandle = "";
        using var console = Console(queue);

        console.Press('e');

        Assert.Contains("#5 came without a contact handle, so no other request is linked to it.", console.Flat, StringComparison.Ordinal);
        Assert.Empty(console.Client.Calls);
    }

    [Fact]
    public void Help_ListsTheKey()
    {
        using var console = Console();

        var help = console.WithDialog<HelpDialog>(new Key('?'), d => console.Press(Key.Enter));

        Assert.Contains("e     requester's other requests (↻N)", help, StringComparison.Ordinal);
        Assert.True(help.Contains("OFFLINE over the hints: the link is down", StringComparison.Ordinal), help);
    }
}
