using Hotline.Console.Operations;
using Hotline.Console.Views;
using Hotline.Contract.V1;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;

namespace Hotline.Console.Tests.Actions;

/// <summary>Each action flow on its own: what the result line says when it works, when the server refuses, and when it fails.</summary>
[Collection(HeadlessCollection.Name)]
public sealed class ActionFlowTests
{
    private static readonly HelpRequest Open = Requests.Make(1);

    private static readonly HelpRequest Mine = Requests.Make(2, Urgency.Urgent, state: RequestState.Assigned, assignee: "operators/anna");

    private static readonly HelpRequest Timurs = Requests.Make(3, state: RequestState.Assigned, assignee: "operators/timur");

    private static readonly HelpRequest Closed = Requests.Make(4, state: RequestState.Closed, assignee: "operators/anna");

    private static FlowHarness Flows() => new(Open, Mine, Timurs, Closed);

    [Fact]
    public async Task Claim_SaysItIsMine()
    {
        using var flows = Flows();

        Assert.Equal("#1 is yours now.", await flows.RunAsync(1, f => f.Claim.RunAsync));
        Assert.True(flows.Screen.ResultOk);
    }

    [Fact]
    public async Task ClaimTakenFirst_NamesTheHolder()
    {
        using var flows = Flows();
        flows.Client.RefuseNext = RpcErrors.AlreadyAssigned("operators/timur");

        Assert.Equal("Could not claim #1: Timur B. (timur) already holds it.", await flows.RunAsync(1, f => f.Claim.RunAsync));
        Assert.False(flows.Screen.ResultOk);
    }

    [Fact]
    public async Task ClaimOfAColleaguesRequest_AnsweredNo_SendsNothingAndSaysNothing()
    {
        using var flows = Flows();

        var result = await flows.RunAsync<ConfirmDialog>(3, f => f.Claim.RunAsync, _ => flows.App.InjectKey(Key.Esc));

        Assert.Null(result);
        Assert.Empty(flows.Client.Calls);
    }

    [Fact]
    public async Task Give_SaysWhoHoldsItNow()
    {
        using var flows = Flows();

        var result = await flows.RunAsync<AssignDialog>(1, f => f.Assign.RunAsync, _ =>
        {
            flows.App.InjectKey(Key.CursorDown);
            flows.App.InjectKey(Key.CursorDown);
            flows.App.InjectKey(Key.Enter);
        });

        Assert.Equal("#1 is now held by Timur B. (timur).", result);
    }

    [Fact]
    public async Task GiveWithoutAnOperatorList_IsRefused()
    {
        using var flows = Flows();
        flows.Model.Apply([new Hotline.Console.State.IdentityKnown(flows.Client.Me, [])]);

        Assert.Equal("No operator list yet: the console is not connected.", await flows.RunAsync(1, f => f.Assign.RunAsync));
        Assert.Empty(flows.Client.Calls);
    }

    [Fact]
    public async Task Release_SaysItIsBackInTheQueue()
    {
        using var flows = Flows();

        Assert.Equal("#2 is back in the queue.", await flows.RunAsync(2, f => f.Release.RunAsync));
    }

    [Fact]
    public async Task ReleaseOfAChangedRequest_IsRefusedAndRefreshed()
    {
        using var flows = Flows();
        flows.Client.RefuseNext = RpcErrors.EtagMismatch();

        var result = await flows.RunAsync(2, f => f.Release.RunAsync);

        Assert.Equal("Could not release #2: someone changed it a moment ago. The view is refreshed; check it and try again.", result);
        Assert.Contains("get requests/r2", flows.Client.Calls);
    }

    [Fact]
    public async Task Note_SavedWithF2_SaysAddedAndForgetsTheDraft()
    {
        using var flows = Flows();

        var result = await flows.RunAsync<NoteDialog>(2, f => f.Note.RunAsync, _ =>
        {
            foreach (var c in "перезвонить")
            {
                flows.App.InjectKey(new Key(c));
            }
            flows.App.InjectKey(Key.F2);
        });

        Assert.Equal("Note added to #2.", result);
        Assert.Equal(0, flows.Drafts.Count);
    }

    [Fact]
    public async Task NoteTheServerRefuses_SaysSoAndKeepsTheDraft()
    {
        using var flows = Flows();
        flows.Client.RefuseNext = RpcErrors.Unavailable();

        var result = await flows.RunAsync<NoteDialog>(2, f => f.Note.RunAsync, _ =>
        {
            flows.App.InjectKey(new Key('x'));
            flows.App.InjectKey(Key.F2);
        });

        Assert.StartsWith("Could not add a note to #2: ", result, StringComparison.Ordinal);
        Assert.EndsWith(" Your note is kept as a draft (n).", result, StringComparison.Ordinal);
        Assert.Equal(1, flows.Drafts.Count);
    }

    [Fact]
    public async Task Triage_SaysTheNewUrgency()
    {
        using var flows = Flows();

        var result = await flows.RunAsync<TriageDialog>(1, f => f.Triage.RunAsync, _ =>
        {
            flows.App.InjectKey(Key.CursorDown);
            flows.App.InjectKey(Key.Enter);
        });

        Assert.Equal("#1 is now urgent.", result);
    }

    [Fact]
    public async Task TriageRejected_NamesTheField()
    {
        using var flows = Flows();
        flows.Client.RefuseNext = RpcErrors.InvalidFields(("tags[0]", "must be at most 40 characters"));

        var result = await flows.RunAsync<TriageDialog>(1, f => f.Triage.RunAsync, _ => flows.App.InjectKey(Key.Enter));

        Assert.Equal("Could not update #1: check tags[0]: must be at most 40 characters.", result);
    }

    [Fact]
    public async Task Close_SaysHowItWasResolved()
    {
        using var flows = Flows();

        var result = await flows.RunAsync<CloseDialog>(2, f => f.Close.RunAsync, _ =>
        {
            flows.App.InjectKey(Key.CursorDown);
            flows.App.InjectKey(Key.Enter);
        });

        Assert.Equal("#2 closed: referred.", result);
    }

    [Fact]
    public async Task CloseOfAStaleView_IsRefused()
    {
        using var flows = Flows();
        flows.Client.RefuseNext = RpcErrors.EtagMismatch();

        var result = await flows.RunAsync<CloseDialog>(2, f => f.Close.RunAsync, _ => flows.App.InjectKey(Key.Enter));

        Assert.Equal("Could not close #2: someone changed it a moment ago. The view is refreshed; check it and try again.", result);
    }

    [Fact]
    public async Task Reopen_SaysItIsOpenAgain()
    {
        using var flows = Flows();

        var result = await flows.RunAsync<ReopenDialog>(4, f => f.Reopen.RunAsync, _ =>
        {
            flows.App.InjectKey(new Key('y'));
            flows.App.InjectKey(Key.Enter);
        });

        Assert.Equal("#4 is open again.", result);
    }

    [Fact]
    public async Task ReopenOfAnOpenRequest_IsRefusedClearly()
    {
        using var flows = Flows();
        flows.Client.RefuseNext = RpcErrors.Refusal(Grpc.Core.StatusCode.FailedPrecondition, "REQUEST_OPEN");

        var result = await flows.RunAsync<ReopenDialog>(1, f => f.Reopen.RunAsync, _ => flows.App.InjectKey(Key.Enter));

        Assert.Equal("Could not reopen #1: it is already open.", result);
    }

    [Fact]
    public async Task AFlowThatFailsUnexpectedly_IsReportedByTypeOnly_AndTheNextActionRuns()
    {
        using var flows = Flows();
        flows.Client.FailNext = new InvalidOperationException("Анна: адрес ул. Ленина 5");

        var result = await flows.RunAsync(1, f => f.Claim.RunAsync);

        Assert.Equal("#1: that did not work (InvalidOperationException). Nothing was lost; try again.", result);
        Assert.False(flows.Screen.ResultOk);
        Assert.Equal("#1 is yours now.", await flows.RunAsync(1, f => f.Claim.RunAsync));
    }

    [Fact]
    public void EarlierContactsOfARequestWithoutHandle_SaysNoneIsLinked()
    {
        using var flows = Flows();
        var request = Requests.Make(1);
        request.ContactHandle = "";

        flows.Flows.Related.Run(request);

        Assert.Equal("#1 came without a contact handle, so no other request is linked to it.", flows.Screen.Result);
    }

    [Fact]
    public void AuditTrailForAnOperator_IsRefusedWithoutACall()
    {
        using var flows = Flows();

        flows.Flows.Audit.Run(Requests.Make(1));

        Assert.Equal(Hotline.Console.Presentation.AuditRows.NotForYou(flows.Client.Me), flows.Screen.Result);
        Assert.Empty(flows.Client.Calls);
    }

    [Fact]
    public async Task ClaimTheServerNeverAnswers_GivesUpAfterTheOperationTimeoutAndSaysSo()
    {
        using var flows = Flows();
        flows.Client.HoldMutations = new TaskCompletionSource();

        flows.Runner.Start(flows.Model.Find("requests/r1")!, flows.Flows.Claim.RunAsync);
        Assert.True(flows.Runner.Busy);
        flows.Time.Advance(RequestOperations.OperationTimeout - TimeSpan.FromSeconds(1));
        Assert.True(flows.Runner.Busy);
        flows.Time.Advance(TimeSpan.FromSeconds(1));
        await flows.Runner.Running.DefaultTimeout();

        Assert.False(flows.Runner.Busy);
        Assert.Equal("Could not claim #1: the server did not answer. Nothing was changed; try again when connected.", flows.Screen.Result);
    }
}
