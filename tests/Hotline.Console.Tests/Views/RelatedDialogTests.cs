using Grpc.Core;
using Hotline.Console.State;
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
        Select(console, 5);
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
    public void Esc_ClosesAndLeavesTheQueueAsItWas()
    {
        using var console = Console();

        console.WithDialog<RelatedDialog>(new Key('e'), d => console.Press(Key.Esc));

        Assert.Equal("requests/r5", console.Window.Selected!.Name);
        Assert.True(console.Window.IsRunning);
        Assert.DoesNotContain("Same requester", console.Screen, StringComparison.Ordinal);
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
        Select(console, 2);

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

    public static TheoryData<RpcException, string> Refusals => new()
    {
        { RpcErrors.Refusal(StatusCode.PermissionDenied, "PERMISSION_DENIED", ("required_role", "OPERATOR_ROLE_SUPERVISOR")),
            "Could not list the earlier contacts of #5: you are not allowed to (needs supervisor)." },
        { RpcErrors.Refusal(StatusCode.FailedPrecondition, "LOCKED_DOWN"),
            "Could not list the earlier contacts of #5: the hotline is locked down until an admin unlocks it." },
        { RpcErrors.Unavailable(), "Could not list the earlier contacts of #5: the server did not answer; try again when connected." },
        { RpcErrors.Refusal(StatusCode.NotFound, "REQUEST_NOT_FOUND"), "Could not list the earlier contacts of #5: it no longer exists." },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refusal_IsShownInTheListAndEnterTriesAgain(RpcException refusal, string expected)
    {
        using var console = Console();
        console.Client.RefuseNextList = refusal;
        string? refused = null;
        string? retried = null;

        console.WithDialog<RelatedDialog>(new Key('e'), d =>
        {
            refused = console.Screen;
            console.Press(Key.Enter);
            retried = console.Screen;
            console.Press(Key.Esc);
        });

        Assert.True(Inside(refused!).Contains(expected, StringComparison.Ordinal), refused);
        Assert.Contains("Enter try again · Esc close", refused, StringComparison.Ordinal);
        Assert.Contains("2 other requests from #5's requester", retried, StringComparison.Ordinal);
        Assert.Equal(2, console.Client.Calls.Count);
        Assert.True(console.Window.IsRunning);
    }

    [Fact]
    public void SlowServer_ShowsLoadingWithoutHoldingTheScreen()
    {
        using var console = Console();
        console.Client.HoldList = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? loading = null;
        string? loaded = null;

        console.WithDialog<RelatedDialog>(new Key('e'), d =>
        {
            loading = console.Screen;
            // The answer arrives on another thread, as it does from the network.
            var network = new Thread(() => console.Client.HoldList.SetResult());
            network.Start();
            Assert.True(network.Join(TaskTimeouts.Default));
            loaded = WaitForScreen(console, s => s.Contains("2 other requests", StringComparison.Ordinal));
            console.Press(Key.Esc);
        });

        Assert.Contains("loading…", loading, StringComparison.Ordinal);
        Assert.Matches(@"3 12:03\s+sms\s+new", loaded);
    }

    [Fact]
    public void LinkBackAfterAFailure_LoadsTheListAgain()
    {
        using var console = Console();
        console.Client.RefuseNextList = RpcErrors.Unavailable();
        string? refused = null;
        string? reloaded = null;

        console.WithDialog<RelatedDialog>(new Key('e'), d =>
        {
            refused = console.Screen;
            console.Feed(new ConnectionChanged(new ConnectionStatus(LinkState.Retrying, Requests.T0, Requests.T0.AddSeconds(2))));
            console.Feed(new ConnectionChanged(ConnectionStatus.Connected));
            reloaded = WaitForScreen(console, s => s.Contains("2 other requests", StringComparison.Ordinal));
            console.Press(Key.Esc);
        });

        Assert.Contains("the server did not answer", refused, StringComparison.Ordinal);
        Assert.Contains("Мужа задержали", reloaded, StringComparison.Ordinal);
        Assert.Equal(2, console.Client.Calls.Count);
    }

    [Fact]
    public void LongHistory_LoadsTheNextPageAtTheEndOfTheList()
    {
        using var console = Console();
        console.Client.Related["requests/r5"] = [.. Enumerable.Range(100, 60).Reverse().Select(n => Requests.Make(n, created: Requests.T0.AddDays(-1)))];
        string? first = null;
        string? all = null;

        console.WithDialog<RelatedDialog>(new Key('e'), d =>
        {
            first = console.Screen;
            console.Press(Key.End);
            all = WaitForScreen(console, s => s.Contains("60 other requests", StringComparison.Ordinal) && !s.Contains("· 50 shown", StringComparison.Ordinal));
            Assert.Equal(60, d.Table.Table!.Rows);
            console.Press(Key.End);
            all = console.Screen;
            console.Press(Key.Esc);
        });

        Assert.Contains("60 other requests from #5's requester, newest first · 50 shown", first, StringComparison.Ordinal);
        Assert.Contains("more load at the end", first, StringComparison.Ordinal);
        Assert.Matches(@"100 2025-02-28", all);
        Assert.Equal(["related requests/r5 size 50 token ''", "related requests/r5 size 50 token '50'"], console.Client.Calls);
    }

    [Fact]
    public void PanicWhileLoading_ClosesTheListAndDropsTheLateAnswer()
    {
        using var console = Console();
        console.Client.HoldList = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var panicked = false;
        console.Window.OnPanic = () => panicked = true;

        console.WithDialog<RelatedDialog>(new Key('e'), d => console.Press(Key.F12));
        var network = new Thread(() => console.Client.HoldList.SetResult());
        network.Start();
        Assert.True(network.Join(TaskTimeouts.Default));
        Thread.Sleep(50);
        console.App.TimedEvents!.RunTimers();

        Assert.True(panicked);
        var screen = console.Screen;
        Assert.DoesNotContain("Same requester", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("Мужа", screen, StringComparison.Ordinal);
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

        Assert.Contains("e      list the same requester's other requests (↻N in the queue)", help, StringComparison.Ordinal);
        Assert.True(help.Contains("STALE: link down, screen may be old.", StringComparison.Ordinal), help);
    }

    /// <summary>The dialog's text with its rows joined and runs of whitespace as one space, for a message that wraps.</summary>
    private static string Inside(string screen) =>
        System.Text.RegularExpressions.Regex.Replace(string.Join(' ', screen.Split('\n').Where(l => l.Length >= 76).Select(l => l[2..76])), @"\s+", " ");

    /// <summary>Runs the work queued for the UI thread (answers that came from another thread) until the screen shows what is awaited.</summary>
    private static string WaitForScreen(ConsoleHarness console, Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow + TaskTimeouts.Default;
        var screen = console.Screen;
        while (!condition(screen) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
            console.App.TimedEvents!.RunTimers();
            screen = console.Screen;
        }
        Assert.True(condition(screen), screen);
        return screen;
    }

    private static void Select(ConsoleHarness console, long number)
    {
        var row = console.Window.VisibleRows.ToList().FindIndex(r => r.Number == number);
        console.Window.Table.SetSelection(0, row, false);
        Assert.Equal(number, console.Window.Selected!.Number);
    }
}
