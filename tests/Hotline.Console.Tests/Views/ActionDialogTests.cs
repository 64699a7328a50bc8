using Hotline.Console.Views;
using Hotline.Contract.V1;
using Terminal.Gui.Input;

namespace Hotline.Console.Tests.Views;

[Collection(HeadlessCollection.Name)]
public sealed class ActionDialogTests
{
    private static HelpRequest[] Queue() =>
    [
        Requests.Make(1, message: Requests.Russian, language: "ru"),
        Requests.Make(2, Urgency.Urgent, Requests.Chechen, RequestState.Assigned, "operators/anna", Channel.Whatsapp, "ce"),
        Requests.Make(3, state: RequestState.Closed, assignee: "operators/anna"),
    ];

    [Fact]
    public void Claim_AssignsToMeAndSaysSo()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(1);

        console.Press('a');

        Assert.Equal(["assign requests/r1 to ''"], console.Client.Calls);
        var screen = console.Screen;
        Assert.Contains("#1 is yours now.", screen, StringComparison.Ordinal);
        Assert.Matches(@"1 29m\s+tg\s+held\s+anna", screen);
    }

    [Fact]
    public void ClaimTakenFirst_NamesWhoHoldsItAndRefreshes()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(1);
        console.Client.Stored["requests/r1"] = console.Client.Stored["requests/r1"].With(200, r =>
        {
            r.Assignee = "operators/timur";
            r.State = RequestState.Assigned;
        });
        console.Client.RefuseNext = RpcErrors.AlreadyAssigned("operators/timur");

        console.Press('a');

        var screen = console.Screen;
        Assert.Contains("Could not claim #1: Timur B. (timur) already holds it.", screen, StringComparison.Ordinal);
        Assert.Contains("get requests/r1", console.Client.Calls);
        Assert.Matches(@"1 29m\s+tg\s+held\s+timur", screen);
        Assert.Equal(new Terminal.Gui.Drawing.Color(Terminal.Gui.Drawing.ColorName16.Red), console.AttributeAt("Could not claim").Background);
    }

    [Fact]
    public void AssignToOther_PicksFromTheOperatorList()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(1);

        var dialog = console.WithDialog<AssignDialog>(new Key('A'), d =>
        {
            console.Press(Key.CursorDown);
            console.Press(Key.CursorDown);
            console.Press(Key.Enter);
        });

        Assert.Contains("Assign #1 to…", dialog, StringComparison.Ordinal);
        Assert.Contains("Timur B. (timur)", dialog, StringComparison.Ordinal);
        Assert.Equal(["assign requests/r1 to 'operators/timur'"], console.Client.Calls);
        Assert.Contains("#1 is now held by Timur B.", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void Release_GivesItBackToTheQueue()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(2);

        console.Press('r');

        Assert.Equal(["release requests/r2 etag e2"], console.Client.Calls);
        Assert.Contains("#2 is back in the queue.", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void ReleaseByNonHolder_SaysWhoHoldsIt()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(2);
        console.Client.RefuseNext = RpcErrors.Refusal(Grpc.Core.StatusCode.FailedPrecondition, "NOT_ASSIGNEE", ("assignee", "operators/timur"));

        console.Press('r');

        Assert.Contains("Could not release #2: Timur B. (timur) holds it; only they or a supervisor can.", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void Note_TakesSeveralLinesOfCyrillicAndSavesWithF2()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(2);

        var dialog = console.WithDialog<NoteDialog>(new Key('n'), d =>
        {
            console.Type("Позвонила, Ӏаьржа");
            console.Press(Key.Enter);
            console.Type("перезвонить в 22:00");
            console.Press(Key.F2);
        });

        Assert.Contains("Note on #2", dialog, StringComparison.Ordinal);
        var call = Assert.Single(console.Client.Calls);
        Assert.StartsWith("note requests/r2 'Позвонила, Ӏаьржа\nперезвонить в 22:00' id note-", call, StringComparison.Ordinal);
        Assert.Contains("Note added to #2.", console.Screen, StringComparison.Ordinal);
        console.Press(Key.Enter);
        var opened = console.Screen;
        Assert.Contains("Anna K. (anna): Позвонила, Ӏаьржа", opened, StringComparison.Ordinal);
        // The note's second line is indented under the first, so it reads as part of the same entry.
        Assert.Contains("│    перезвонить в 22:00", opened, StringComparison.Ordinal);
        Assert.Equal(0, console.Drafts.Count);
    }

    [Fact]
    public void NoteThatFailsToSave_IsKeptAsADraftAndRetriedWithTheSameId()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(2);
        console.Client.RefuseNext = RpcErrors.Unavailable();

        console.WithDialog<NoteDialog>(new Key('n'), d =>
        {
            console.Type("Важно: адвокат едет");
            console.Press(Key.F2);
        });

        Assert.Contains("the server did not answer. Nothing was changed; try again when connected. Your note is kept as a draft (n).",
            console.Flat, StringComparison.Ordinal);
        Assert.Contains("#2 · draft note (n)", console.Screen, StringComparison.Ordinal);
        var firstId = console.Drafts.Find("requests/r2")!.RequestId;

        string? shownDraft = null;
        console.WithDialog<NoteDialog>(new Key('n'), d =>
        {
            shownDraft = d.Editor.Text;
            console.Press(Key.F2);
        });

        Assert.Equal("Важно: адвокат едет", shownDraft);
        Assert.EndsWith($"id {firstId}", console.Client.Calls[^1], StringComparison.Ordinal);
        Assert.Equal(0, console.Drafts.Count);
    }

    [Fact]
    public void QuitWhileANoteIsBeingWritten_AsksFirst()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(2);
        console.WithDialog<NoteDialog>(new Key('n'), d =>
        {
            console.Type("черновик");
            console.Press(Key.Esc);
        });
        Assert.Empty(console.Client.Calls);
        Assert.Contains("Draft note for #2 kept", console.Screen, StringComparison.Ordinal);

        var question = console.WithDialog<ConfirmDialog>(new Key('q'), d => console.Press(Key.Enter));

        Assert.Contains("Quit and lose it?", question, StringComparison.Ordinal);
        Assert.False(console.Window.StopRequested);
        Assert.Equal("черновик", console.Drafts.Find("requests/r2")!.Text);
    }

    [Fact]
    public void QuitQuestion_EnterAtOnceAnswersTheFocusedDefaultNo()
    {
        using var console = new ConsoleHarness(Queue());
        KeepDraft(console, 2, "черновик");
        string? focused = null;
        string? defaultButton = null;

        var question = console.WithDialog<ConfirmDialog>(new Key('q'), d =>
        {
            focused = d.Buttons.SingleOrDefault(b => b.HasFocus)?.Text;
            defaultButton = d.Buttons.Single(b => b.IsDefault).Text;
            console.Press(Key.Enter);
        });

        Assert.Equal("_No", defaultButton);
        Assert.Equal(defaultButton, focused);
        Assert.Contains("► No ◄", question, StringComparison.Ordinal);
        Assert.False(console.Window.StopRequested);
        Assert.Equal("черновик", console.Drafts.Find("requests/r2")!.Text);
    }

    [Fact]
    public void QuitQuestion_QuitButtonQuits()
    {
        using var console = new ConsoleHarness(Queue());
        KeepDraft(console, 2, "черновик");

        console.WithDialog<ConfirmDialog>(new Key('q'), d => console.Press(Key.Q.WithAlt));

        Assert.True(console.Window.StopRequested);
    }

    [Fact]
    public void Triage_ChangesUrgencyAndTags()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(1);

        var dialog = console.WithDialog<TriageDialog>(new Key('u'), d =>
        {
            console.Press(Key.CursorDown);
            console.Press(Key.CursorDown);
            d.Tags.SetFocus();
            console.Type("detention лаьцна");
            console.Press(Key.Enter);
        });

        Assert.Contains("Urgency and tags of #1", dialog, StringComparison.Ordinal);
        Assert.Equal(["triage requests/r1 ImmediateDanger [detention,лаьцна] etag e1"], console.Client.Calls);
        Assert.Contains("#1 is now IMMEDIATE DANGER.", console.Screen, StringComparison.Ordinal);
        Assert.Matches(@"1 29m\s+DANGER", console.Screen);
    }

    [Fact]
    public void TriageRejected_NamesTheField()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(1);
        console.Client.RefuseNext = RpcErrors.InvalidFields(("tags[0]", "must be at most 40 characters"));

        console.WithDialog<TriageDialog>(new Key('u'), d => console.Press(Key.Enter));

        Assert.Contains("Could not update #1: check tags[0]: must be at most 40 characters.", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void Close_WithResolutionAndComment()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(2);

        var dialog = console.WithDialog<CloseDialog>(new Key('c'), d =>
        {
            console.Press(Key.CursorDown);
            d.Comment.SetFocus();
            console.Type("Передано юристам");
            console.Press(Key.Enter);
        });

        Assert.Contains("Close #2", dialog, StringComparison.Ordinal);
        Assert.Contains("legal aid", dialog, StringComparison.Ordinal);
        Assert.Equal(["close requests/r2 Referred 'Передано юристам' etag e2"], console.Client.Calls);
        Assert.Contains("#2 closed: referred.", console.Screen, StringComparison.Ordinal);
        Assert.DoesNotContain(console.Window.VisibleRows, r => r.Number == 2);
    }

    [Fact]
    public void CloseOfAStaleView_IsRefusedAndTheViewRefreshed()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(2);
        console.Client.Stored["requests/r2"] = console.Client.Stored["requests/r2"].With(300, r => r.Urgency = Urgency.ImmediateDanger);
        console.Client.RefuseNext = RpcErrors.EtagMismatch();

        console.WithDialog<CloseDialog>(new Key('c'), d => console.Press(Key.Enter));

        Assert.Contains("Could not close #2: someone changed it a moment ago. The view is refreshed; check it and try again.",
            console.Flat, StringComparison.Ordinal);
        Assert.Equal(Urgency.ImmediateDanger, console.Model.Find("requests/r2")!.Urgency);
    }

    [Fact]
    public void CancelledClose_SendsNothing()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(2);

        console.WithDialog<CloseDialog>(new Key('c'), d => console.Press(Key.Esc));

        Assert.Empty(console.Client.Calls);
    }

    [Fact]
    public void Reopen_AClosedRequestFromClosedToday()
    {
        using var console = new ConsoleHarness(Queue());
        console.Press('4');
        Assert.Equal([3L], console.Window.VisibleRows.Select(r => r.Number));

        var dialog = console.WithDialog<ReopenDialog>(new Key('o'), d =>
        {
            console.Type("Перезвонили снова");
            console.Press(Key.Enter);
        });

        Assert.Contains("Reopen #3", dialog, StringComparison.Ordinal);
        Assert.Equal(["reopen requests/r3 'Перезвонили снова' etag e3"], console.Client.Calls);
        Assert.Contains("#3 is open again.", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void ReopenOfAnOpenRequest_IsRefusedClearly()
    {
        using var console = new ConsoleHarness(Queue());
        console.Select(1);
        console.Client.RefuseNext = RpcErrors.Refusal(Grpc.Core.StatusCode.FailedPrecondition, "REQUEST_OPEN");

        console.WithDialog<ReopenDialog>(new Key('o'), d => console.Press(Key.Enter));

        Assert.Contains("Could not reopen #1: it is already open.", console.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void FilterClear_DropsUrgencyChannelAndLanguage()
    {
        using var console = new ConsoleHarness(Queue());
        console.WithDialog<FilterDialog>(new Key('f'), d =>
        {
            d.Urgency.SelectedItem = 2;
            d.Channel.SelectedItem = 5;
            d.Language.SetFocus();
            console.Type("ce");
            console.Press(Key.Enter);
        });
        Assert.Equal([2L], console.Window.VisibleRows.Select(r => r.Number));

        console.WithDialog<FilterDialog>(new Key('f'), d =>
        {
            d.Buttons.Single(b => b.Text.Replace("_", "", StringComparison.Ordinal) == "Clear").SetFocus();
            console.Press(Key.Enter);
        });

        Assert.Equal([2L, 1L], console.Window.VisibleRows.Select(r => r.Number));
        Assert.Matches(@"^View: all open\s+/ find", console.Lines[0]);
    }

    [Fact]
    public void FilterDialog_NarrowsByUrgencyChannelAndLanguage()
    {
        using var console = new ConsoleHarness(Queue());

        var dialog = console.WithDialog<FilterDialog>(new Key('f'), d =>
        {
            d.Language.SetFocus();
            console.Type("ce");
            console.Press(Key.Enter);
        });

        Assert.Contains("Urgency:", dialog, StringComparison.Ordinal);
        Assert.Equal([2L], console.Window.VisibleRows.Select(r => r.Number));
        Assert.StartsWith("View: all open · lang ce", console.Lines[0], StringComparison.Ordinal);
    }

    private static void KeepDraft(ConsoleHarness console, long number, string text)
    {
        console.Select(number);
        console.WithDialog<NoteDialog>(new Key('n'), d =>
        {
            console.Type(text);
            console.Press(Key.Esc);
        });
    }
}
