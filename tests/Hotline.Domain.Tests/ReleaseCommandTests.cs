using Hotline.Domain;
using static Hotline.Domain.Tests.People;

namespace Hotline.Domain.Tests;

public class ReleaseCommandTests
{
    [Theory]
    [InlineData("anna", RequestState.Assigned)]
    [InlineData("anna", RequestState.Waiting)]
    [InlineData("sofia", RequestState.Assigned)]
    [InlineData("root", RequestState.Waiting)]
    public void Release_ByHolderOrSupervisor_ReturnsItToTheQueue(string caller, RequestState state)
    {
        var outcome = new ReleaseCommand(Named(caller)).Apply(Requests.HeldBy(Anna, state), Requests.Now);

        Assert.Equal(ChangeKind.Released, outcome.Kind);
        Assert.Equal(RequestState.New, outcome.Request.State);
        Assert.Null(outcome.Request.Assignee);
        Assert.Equal(Requests.Now, outcome.Request.UpdateTime);
    }

    [Fact]
    public void Release_BySomeoneElse_FailsNotAssigneeNamingHolder()
    {
        var error = Refusal.ExpectPrecondition(ErrorReasons.NotAssignee,
            () => new ReleaseCommand(Boris).Apply(Requests.HeldBy(Anna), Requests.Now));

        Assert.Equal("operators/anna", error.Metadata["assignee"]);
    }

    [Theory]
    [InlineData("anna")]
    [InlineData("sofia")]
    public void Release_NewRequest_FailsNotAssigned(string caller)
    {
        var error = Refusal.ExpectPrecondition(ErrorReasons.NotAssigned,
            () => new ReleaseCommand(Named(caller)).Apply(Requests.New(), Requests.Now));

        Assert.Equal("NEW", error.Metadata["state"]);
    }

    [Theory]
    [InlineData("anna")]
    [InlineData("sofia")]
    public void Release_ClosedRequest_FailsRequestClosed(string caller) =>
        Refusal.ExpectPrecondition(ErrorReasons.RequestClosed,
            () => new ReleaseCommand(Named(caller)).Apply(Requests.Closed(Anna, Anna), Requests.Now));
}
