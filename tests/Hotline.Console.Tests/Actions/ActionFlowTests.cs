using Hotline.Console.Actions;
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

    /// <summary>The flow a key starts, the request it is on, how the server answers (null: it does it), and what the result line then says.</summary>
    public static TheoryData<string, long, string?, string> Outcomes => new()
    {
        { "a claim", 1, null, "#1 is yours now." },
        { "a claim", 1, "taken", "Could not claim #1: Timur B. (timur) already holds it." },
        { "A give", 1, null, "#1 is now held by Timur B. (timur)." },
        { "A give", 1, "disabled", "Could not assign #1: that operator is disabled." },
        { "r release", 2, null, "#2 is back in the queue." },
        { "r release", 2, "changed", "Could not release #2: someone changed it a moment ago. The view is refreshed; check it and try again." },
        { "n note", 2, null, "Note added to #2." },
        {
            "n note", 2, "offline",
            "Could not add a note to #2: the server did not answer. Nothing was changed; try again when connected. Your note is kept as a draft (n)."
        },
        { "u urgency", 1, null, "#1 is now urgent." },
        { "u urgency", 1, "bad tags", "Could not update #1: check tags[0]: must be at most 40 characters." },
        { "c close", 2, null, "#2 closed: referred." },
        { "c close", 2, "changed", "Could not close #2: someone changed it a moment ago. The view is refreshed; check it and try again." },
        { "o reopen", 4, null, "#4 is open again." },
        { "o reopen", 1, "open", "Could not reopen #1: it is already open." },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task Flow_SaysOnTheResultLineWhatHappened(string flow, long number, string? answer, string expected)
    {
        using var flows = Flows();
        flows.Client.RefuseNext = answer switch
        {
            null => null,
            "taken" => RpcErrors.AlreadyAssigned("operators/timur"),
            "disabled" => RpcErrors.Refusal(Grpc.Core.StatusCode.FailedPrecondition, "OPERATOR_DISABLED"),
            "changed" => RpcErrors.EtagMismatch(),
            "offline" => RpcErrors.Unavailable(),
            "bad tags" => RpcErrors.InvalidFields(("tags[0]", "must be at most 40 characters")),
            "open" => RpcErrors.Refusal(Grpc.Core.StatusCode.FailedPrecondition, "REQUEST_OPEN"),
            _ => throw new ArgumentOutOfRangeException(nameof(answer), answer, null),
        };
        var (run, dialogKeys) = Started(flows.Flows, flow);

        var result = await flows.RunAsync(number, run, dialogKeys);

        Assert.Equal(expected, result);
        Assert.Equal(answer is null, flows.Screen.ResultOk);
        Assert.Single(flows.Client.Calls, call => !call.StartsWith("get ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoteTheServerRefuses_KeepsTheDraft_AndOneItTakes_ForgetsIt()
    {
        using var flows = Flows();
        flows.Client.RefuseNext = RpcErrors.Unavailable();
        var (note, keys) = Started(flows.Flows, "n note");

        await flows.RunAsync(2, note, keys);
        Assert.Equal(1, flows.Drafts.Count);
        await flows.RunAsync(2, note, Key.F2);

        Assert.Equal("Note added to #2.", flows.Screen.Result);
        Assert.Equal(0, flows.Drafts.Count);
    }

    [Fact]
    public async Task ClaimOfAColleaguesRequest_AnsweredNo_SendsNothingAndSaysNothing()
    {
        using var flows = Flows();

        Assert.Null(await flows.RunAsync(3, flows.Flows.Claim.RunAsync, Key.Esc));
        Assert.Empty(flows.Client.Calls);
    }

    [Fact]
    public async Task GiveWithoutAnOperatorList_IsRefused()
    {
        using var flows = Flows();
        flows.Model.Apply([new Hotline.Console.State.IdentityKnown(flows.Client.Me, [])]);

        Assert.Equal("No operator list yet: the console is not connected.", await flows.RunAsync(1, flows.Flows.Assign.RunAsync));
        Assert.Empty(flows.Client.Calls);
    }

    [Fact]
    public async Task AFlowThatFailsUnexpectedly_IsReportedByTypeOnly_AndTheNextActionRuns()
    {
        using var flows = Flows();
        flows.Client.FailNext = new InvalidOperationException("Анна: адрес ул. Ленина 5");

        var result = await flows.RunAsync(1, flows.Flows.Claim.RunAsync);

        Assert.Equal("#1: that did not work (InvalidOperationException). Nothing was lost; try again.", result);
        Assert.False(flows.Screen.ResultOk);
        Assert.Equal("#1 is yours now.", await flows.RunAsync(1, flows.Flows.Claim.RunAsync));
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

    private static FlowHarness Flows() => new(Open, Mine, Timurs, Closed);

    /// <summary>The flow a key of the hint line starts ("c close"), and the keys that fill in and accept its dialog.</summary>
    private static (Func<HelpRequest, Task<ActionOutcome?>> Run, Key[] DialogKeys) Started(ActionFlows flows, string key) => key switch
    {
        "a claim" => (flows.Claim.RunAsync, []),
        "A give" => (flows.Assign.RunAsync, [Key.CursorDown, Key.CursorDown, Key.Enter]),
        "r release" => (flows.Release.RunAsync, []),
        "n note" => (flows.Note.RunAsync, [new Key('x'), Key.F2]),
        "u urgency" => (flows.Triage.RunAsync, [Key.CursorDown, Key.Enter]),
        "c close" => (flows.Close.RunAsync, [Key.CursorDown, Key.Enter]),
        "o reopen" => (flows.Reopen.RunAsync, [new Key('y'), Key.Enter]),
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
    };
}
