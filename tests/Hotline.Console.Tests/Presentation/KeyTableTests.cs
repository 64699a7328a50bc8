using Hotline.Console.Operations;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Presentation;

/// <summary>The key table is the dispatch: every name it binds reaches its handler, and the enabled-when rules hold.</summary>
public sealed class KeyTableTests
{
    /// <summary>What each key name must do, written out once more so that a slip in the table (a key calling the wrong thing) fails here.</summary>
    public static TheoryData<string, string> Expected => new()
    {
        { "a", "Claim" }, { "A", "Give" }, { "r", "Release" }, { "n", "Note" }, { "u", "Triage" }, { "c", "Close" }, { "o", "Reopen" },
        { "e", "ShowEarlierContacts" }, { "t", "ShowAudit" }, { "S", "ShowSupervisor" }, { "Enter", "Open" }, { "Esc", "Back" },
        { "!", "JumpToNewestDanger" }, { "w", "JumpToLongestWaiting" }, { "j", "MoveBy 1" }, { "k", "MoveBy -1" },
        { "g", "MoveToFirst" }, { "G", "MoveToLast" }, { "Ctrl+D", "MoveHalfPage 1" }, { "Ctrl+U", "MoveHalfPage -1" },
        { "d", "CycleDetailSize" }, { "?", "ShowHelp" }, { "F1", "ShowHelp" },
        { "q", "RequestQuit" }, { "Ctrl+Q", "RequestQuit" }, { "Ctrl+C", "RequestQuit" },
        { "/", "StartSearch" }, { "f", "ShowFilter" }, { "1", "ShowScope Open" }, { "2", "ShowScope Mine" },
        { "3", "ShowScope Unassigned" }, { "4", "ShowScope ClosedToday" }, { "5", "ShowScope Due" }, { "F", "FollowUp" }, { "b", "ToggleBell" }, { "F5", "RetryNow" }, { "F12", "Panic" },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void BoundName_DispatchesToItsOneHandler(string name, string call)
    {
        var screen = new RecordingScreen { Selected = Requests.Make(1), Link = LinkState.Retrying };

        Assert.True(Keys.Dispatch(screen, name));

        Assert.Equal([call], screen.Calls);
    }

    [Fact]
    public void EveryNameTheTableBinds_IsExpected_AndNoOtherDispatches()
    {
        var expected = Expected.Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(expected.Order(StringComparer.Ordinal), Keys.Names.Order(StringComparer.Ordinal));
        Assert.All(Keys.All, entry => Assert.NotEmpty(entry.Bindings));
        var screen = new RecordingScreen { Selected = Requests.Make(1) };
        Assert.False(Keys.Dispatch(screen, "x"));
        Assert.False(Keys.Dispatch(screen, "Ctrl+A"));
        Assert.Empty(screen.Calls);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("o")]
    [InlineData("e")]
    [InlineData("t")]
    public void RequestKey_WithNothingSelected_SaysSelectFirstAndDoesNothing(string name)
    {
        var screen = new RecordingScreen();

        Assert.True(Keys.Dispatch(screen, name));

        Assert.Equal(["Tell Refused: Select a request first."], screen.Calls);
    }

    [Fact]
    public void ActionKey_WhileAnotherActionWaits_IsDroppedSilently()
    {
        var screen = new RecordingScreen { Selected = Requests.Make(1), Busy = true };

        Assert.True(Keys.Dispatch(screen, "c"));
        Assert.True(Keys.Dispatch(screen, "e"));

        Assert.Equal(["ShowEarlierContacts"], screen.Calls);
    }

    [Theory]
    [InlineData(LinkState.Connected, "Tell Done: Not waiting to reconnect: nothing to retry.")]
    [InlineData(LinkState.SignedOut, "Tell Refused: Signed out: a new token and a restart are needed; retrying cannot help.")]
    public void RetryKey_WhenNotWaitingToReconnect_SaysWhy(LinkState link, string told)
    {
        var screen = new RecordingScreen { Link = link };

        Assert.True(Keys.Dispatch(screen, "F5"));

        Assert.Equal([told], screen.Calls);
    }

    public static TheoryData<string, bool, bool> HintCases => new()
    {
        // what is selected, whether an action waits, then whether the request keys are offered
        { "nothing selected", false, false },
        { "a request selected", false, true },
        { "a request selected, an action waiting", true, false },
    };

    [Theory]
    [MemberData(nameof(HintCases))]
    public void HintLine_OffersOnlyTheKeysEnabledNow_InWordsNotColour(string selected, bool busy, bool offered)
    {
        var screen = new RecordingScreen { Selected = selected == "nothing selected" ? null : Requests.Make(1), Busy = busy };

        var hint = Keys.HintLine(HintPlace.Actions, 80, screen);

        var requestKeys = Keys.All.Where(k => k.Place == HintPlace.Actions && k.Key != "?" && k.Key != "q").ToList();
        Assert.Equal(7, requestKeys.Count);
        foreach (var entry in requestKeys)
        {
            Assert.Equal(offered, hint.Contains($"{entry.Key} {entry.Short}", StringComparison.Ordinal));
            Assert.Equal(offered, entry.EnabledWhen(screen));
        }
        Assert.EndsWith("? help q quit", hint, StringComparison.Ordinal);
        Assert.Empty(screen.Calls);
    }

    [Fact]
    public void HintLine_WithEverythingEnabled_IsTheWholeLine()
    {
        var screen = new RecordingScreen { Selected = Requests.Make(1) };

        Assert.Equal(Keys.HintLine(HintPlace.Actions, 80), Keys.HintLine(HintPlace.Actions, 80, screen));
        Assert.Equal("a claim A give r release n note u urgency c close o reopen ? help q quit", Keys.HintLine(HintPlace.Actions, 80, screen));
    }

    private sealed class RecordingScreen : IOperatorScreen
    {
        public List<string> Calls { get; } = [];

        public HelpRequest? Selected { get; init; }

        public bool Busy { get; init; }

        public LinkState Link { get; init; } = LinkState.Connected;

        public void Tell(ActionOutcome outcome) => Calls.Add($"Tell {(outcome.Succeeded ? "Done" : "Refused")}: {outcome.Message}");

        public void Claim() => Calls.Add(nameof(Claim));

        public void Give() => Calls.Add(nameof(Give));

        public void Release() => Calls.Add(nameof(Release));

        public void Note() => Calls.Add(nameof(Note));

        public void Triage() => Calls.Add(nameof(Triage));

        public void Close() => Calls.Add(nameof(Close));

        public void Reopen() => Calls.Add(nameof(Reopen));

        public void FollowUp() => Calls.Add(nameof(FollowUp));

        public void ShowEarlierContacts() => Calls.Add(nameof(ShowEarlierContacts));

        public void ShowAudit() => Calls.Add(nameof(ShowAudit));

        public void ShowSupervisor() => Calls.Add(nameof(ShowSupervisor));

        public void Open() => Calls.Add(nameof(Open));

        public void Back() => Calls.Add(nameof(Back));

        public void JumpToNewestDanger() => Calls.Add(nameof(JumpToNewestDanger));

        public void JumpToLongestWaiting() => Calls.Add(nameof(JumpToLongestWaiting));

        public void MoveBy(int rows) => Calls.Add($"{nameof(MoveBy)} {rows}");

        public void MoveToFirst() => Calls.Add(nameof(MoveToFirst));

        public void MoveToLast() => Calls.Add(nameof(MoveToLast));

        public void MoveHalfPage(int direction) => Calls.Add($"{nameof(MoveHalfPage)} {direction}");

        public void CycleDetailSize() => Calls.Add(nameof(CycleDetailSize));

        public void ShowHelp() => Calls.Add(nameof(ShowHelp));

        public void RequestQuit() => Calls.Add(nameof(RequestQuit));

        public void StartSearch() => Calls.Add(nameof(StartSearch));

        public void ShowFilter() => Calls.Add(nameof(ShowFilter));

        public void ShowScope(QueueScope scope) => Calls.Add($"{nameof(ShowScope)} {scope}");

        public void ToggleBell() => Calls.Add(nameof(ToggleBell));

        public void RetryNow() => Calls.Add(nameof(RetryNow));

        public void Panic() => Calls.Add(nameof(Panic));
    }
}
