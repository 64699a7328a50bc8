using Grpc.Core;
using Hotline.Console.State;
using Hotline.Contract.V1;
using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace Hotline.Console.Tests.Views;

/// <summary>
/// What every list opened from a request does alike, for each of them: e (the same requester's
/// other requests) and t (the audit trail). A supervisor is signed in, so both open.
/// </summary>
[Collection(HeadlessCollection.Name)]
public sealed class PagedListDialogTests
{
    public static TheoryData<char> Keys => new() { 'e', 't' };

    private static ConsoleHarness Console()
    {
        var console = new ConsoleHarness([Requests.Make(3, message: Requests.Russian, language: "ru"), Requests.Make(5)]);
        console.Feed(new IdentityKnown(Requests.Lena, console.Client.People));
        console.Client.Related["requests/r5"] = [console.Client.Stored["requests/r3"], Requests.Make(1, state: RequestState.Closed)];
        console.Client.Audit["requests/r5"] =
        [
            Requests.Audit(7, AuditAction.Submitted, "operators/intake-web", Requests.T0.AddMinutes(5), "requests/r5"),
            Requests.Audit(9, AuditAction.Read, "operators/lena", Requests.T0.AddMinutes(6), "requests/r5"),
        ];
        console.Select(5);
        return console;
    }

    /// <summary>What the list says above its rows once both have arrived.</summary>
    private static string Loaded(char key) => key == 'e' ? "2 other requests from #5's requester" : "2 events for #5, oldest first";

    private static string Title(char key) => key == 'e' ? "Same requester as #5" : "Audit trail of #5";

    public static TheoryData<char, RpcException, string> Refusals()
    {
        var data = new TheoryData<char, RpcException, string>();
        foreach (var (key, what) in new[] { ('e', "list the earlier contacts of"), ('t', "list the audit trail of") })
        {
            data.Add(key, RpcErrors.Refusal(StatusCode.PermissionDenied, "PERMISSION_DENIED", ("required_role", "OPERATOR_ROLE_SUPERVISOR")),
                $"Could not {what} #5: you are not allowed to (needs supervisor).");
            data.Add(key, RpcErrors.Refusal(StatusCode.FailedPrecondition, "LOCKED_DOWN"),
                $"Could not {what} #5: the hotline is locked down until an admin unlocks it.");
            data.Add(key, RpcErrors.Unavailable(), $"Could not {what} #5: the server did not answer; try again when connected.");
            data.Add(key, RpcErrors.Refusal(StatusCode.NotFound, "REQUEST_NOT_FOUND"), $"Could not {what} #5: it no longer exists.");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refusal_IsShownInTheListAndEnterTriesAgain(char key, RpcException refusal, string expected)
    {
        using var console = Console();
        console.Client.RefuseNextList = refusal;
        string? refused = null;
        string? retried = null;

        console.WithDialog<Dialog>(new Key(key), d =>
        {
            refused = console.Screen;
            console.Press(Key.Enter);
            retried = console.Screen;
            console.Press(Key.Esc);
        });

        Assert.True(ConsoleHarness.Inside(refused!).Contains(expected, StringComparison.Ordinal), refused);
        Assert.Contains("Enter try again · Esc close", refused, StringComparison.Ordinal);
        Assert.Contains(Loaded(key), retried, StringComparison.Ordinal);
        Assert.Equal(2, console.Client.Calls.Count);
        Assert.True(console.Window.IsRunning);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Esc_ClosesAndLeavesTheQueueAsItWas(char key)
    {
        using var console = Console();

        var dialog = console.WithDialog<Dialog>(new Key(key), d => console.Press(Key.Esc));

        Assert.Contains(Title(key), dialog, StringComparison.Ordinal);
        Assert.Equal("requests/r5", console.Window.Selected!.Name);
        Assert.True(console.Window.IsRunning);
        Assert.DoesNotContain(Title(key), console.Screen, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData('e', "60 other requests from #5's requester, newest first · 50 shown", "60 other requests from #5's requester, newest first",
        @"100 2025-02-28", "related requests/r5 size 50 token ''", "related requests/r5 size 50 token '50'")]
    [InlineData('t', "100 events for #5, oldest first · more on the server", "130 events for #5, oldest first",
        @"2025-03-01 14:10:00 Lena S. \(lena\)\s+read\s+seq 130", "audit requests/r5 size 100 token ''", "audit requests/r5 size 100 token '100'")]
    public void LongList_LoadsTheNextPageAtTheEnd(char key, string firstPage, string bothPages, string lastRow, string firstCall, string secondCall)
    {
        using var console = Console();
        console.Client.Related["requests/r5"] = [.. Enumerable.Range(100, 60).Reverse().Select(n => Requests.Make(n, created: Requests.T0.AddDays(-1)))];
        console.Client.Audit["requests/r5"] =
            [.. Enumerable.Range(1, 130).Select(n => Requests.Audit(n, AuditAction.Read, "operators/lena", Requests.T0.AddMinutes(n), "requests/r5"))];
        string? first = null;
        string? all = null;

        console.WithDialog<Dialog>(new Key(key), d =>
        {
            first = console.Screen;
            console.Press(Key.End);
            console.WaitForScreen(s => s.Contains(bothPages, StringComparison.Ordinal) && !s.Contains(firstPage, StringComparison.Ordinal));
            console.Press(Key.End);
            all = console.Screen;
            console.Press(Key.Esc);
        });

        Assert.Contains(firstPage, first, StringComparison.Ordinal);
        Assert.Contains("more load at the end", first, StringComparison.Ordinal);
        Assert.Matches(lastRow, all);
        Assert.Equal([firstCall, secondCall], console.Client.Calls);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void SlowServer_ShowsLoadingWithoutHoldingTheScreen(char key)
    {
        using var console = Console();
        console.Client.HoldList = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? loading = null;
        string? loaded = null;

        console.WithDialog<Dialog>(new Key(key), d =>
        {
            loading = console.Screen;
            // The answer arrives on another thread, as it does from the network.
            var network = new Thread(() => console.Client.HoldList.SetResult());
            network.Start();
            Assert.True(network.Join(TaskTimeouts.Default));
            loaded = console.WaitForScreen(s => s.Contains(Loaded(key), StringComparison.Ordinal));
            console.Press(Key.Esc);
        });

        Assert.Contains("loading…", loading, StringComparison.Ordinal);
        Assert.Matches(key == 'e' ? @"3 12:03\s+tg\s+new" : @"12:06:00 Lena S. \(lena\)\s+read", loaded);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void LinkBackAfterAFailure_LoadsTheListAgain(char key)
    {
        using var console = Console();
        console.Client.RefuseNextList = RpcErrors.Unavailable();
        string? refused = null;
        string? reloaded = null;

        console.WithDialog<Dialog>(new Key(key), d =>
        {
            refused = console.Screen;
            console.Feed(new ConnectionChanged(new ConnectionStatus(LinkState.Retrying, Requests.T0, Requests.T0.AddSeconds(2))));
            console.Feed(new ConnectionChanged(ConnectionStatus.Connected));
            reloaded = console.WaitForScreen(s => s.Contains(Loaded(key), StringComparison.Ordinal));
            console.Press(Key.Esc);
        });

        Assert.Contains("the server did not answer", refused, StringComparison.Ordinal);
        Assert.Equal(2, console.Client.Calls.Count);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void PanicWhileLoading_ClosesTheListAndDropsTheLateAnswer(char key)
    {
        using var console = Console();
        console.Client.HoldList = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var panicked = false;
        console.Window.OnPanic = () => panicked = true;

        console.WithDialog<Dialog>(new Key(key), d => console.Press(Key.F12));
        var network = new Thread(() => console.Client.HoldList.SetResult());
        network.Start();
        Assert.True(network.Join(TaskTimeouts.Default));
        Thread.Sleep(50);
        console.App.TimedEvents!.RunTimers();

        Assert.True(panicked);
        var screen = console.Screen;
        Assert.DoesNotContain(Title(key), screen, StringComparison.Ordinal);
        Assert.DoesNotContain("Мужа", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("intake-web", screen, StringComparison.Ordinal);
    }
}
