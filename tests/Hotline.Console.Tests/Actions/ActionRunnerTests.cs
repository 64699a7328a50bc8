using Hotline.Console.Operations;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Actions;

/// <summary>One action at a time, and whatever a flow throws ends on the result line, not the console.</summary>
[Collection(HeadlessCollection.Name)]
public sealed class ActionRunnerTests
{
    private const string Secret = "Анна, +7 900 123-45-67, бьёт муж";

    public static TheoryData<Exception> Failures => new()
    {
        new OutOfMemoryException(Secret),
        new InvalidOperationException(Secret),
        new NullReferenceException(Secret),
        new TaskCanceledException(Secret),
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task AFlowThatThrows_IsReportedByTypeOnly_AndTheConsoleGoesOn(Exception failure)
    {
        using var flows = new FlowHarness(Requests.Make(1));

        var thrownAtOnce = await flows.RunAsync(1, _ => throw failure);
        var thrownLater = await flows.RunAsync(1, _ => Task.FromException<ActionOutcome?>(failure));

        var expected = $"#1: that did not work ({failure.GetType().Name}). Nothing was lost; try again.";
        Assert.Equal(expected, thrownAtOnce);
        Assert.Equal(expected, thrownLater);
        Assert.Equal(2, flows.Finished);
        Assert.Equal("#1 is yours now.", await flows.RunAsync(1, flows.Flows.Claim.RunAsync));
    }

    [Fact]
    public async Task ASecondActionWhileOneWaits_IsDropped()
    {
        using var flows = new FlowHarness(Requests.Make(1), Requests.Make(2));
        var answer = new TaskCompletionSource<ActionOutcome?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;

        flows.Runner.Start(flows.Model.Find("requests/r1")!, _ =>
        {
            started++;
            return answer.Task;
        });
        flows.Runner.Start(flows.Model.Find("requests/r2")!, _ =>
        {
            started++;
            return Task.FromResult<ActionOutcome?>(ActionOutcome.Done("second"));
        });

        Assert.True(flows.Runner.Busy);
        Assert.Equal("requests/r1", flows.Runner.ActingOn);
        answer.SetResult(ActionOutcome.Done("first"));
        await flows.Runner.Running.DefaultTimeout();
        Assert.Equal(1, started);
        Assert.Equal("first", flows.Screen.Result);
        Assert.False(flows.Runner.Busy);
    }

    [Fact]
    public async Task AfterThePanicKey_AnOutcomeIsNotShown()
    {
        using var flows = new FlowHarness(Requests.Make(1));
        flows.Screen.Panicked = true;

        Assert.Null(await flows.RunAsync(1, flows.Flows.Claim.RunAsync));
    }
}
