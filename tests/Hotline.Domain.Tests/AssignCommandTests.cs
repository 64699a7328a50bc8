using Hotline.Domain;
using static Hotline.Domain.Tests.People;

namespace Hotline.Domain.Tests;

public class AssignCommandTests
{
    [Theory]
    [InlineData("anna")]
    [InlineData("sofia")]
    [InlineData("root")]
    public void Assign_NewRequestToSelf_AnyoneClaimsIt(string caller)
    {
        var me = Named(caller);

        var outcome = new AssignCommand(me, me).Apply(Requests.New(), Requests.Now);

        Assert.Equal(ChangeKind.Assigned, outcome.Kind);
        Assert.Equal(RequestState.Assigned, outcome.Request.State);
        Assert.Equal(me.Id, outcome.Request.Assignee);
        Assert.Equal(Requests.Now, outcome.Request.UpdateTime);
    }

    [Fact]
    public void Assign_NewRequestToColleague_GivesItToTheColleague()
    {
        var outcome = new AssignCommand(Anna, Boris).Apply(Requests.New(), Requests.Now);

        Assert.True(outcome.Changed);
        Assert.Equal("boris", outcome.Request.Assignee);
        Assert.Equal(RequestState.Assigned, outcome.Request.State);
    }

    [Theory]
    [InlineData("boris", "boris")]
    [InlineData("boris", "carla")]
    public void Assign_HeldBySomeoneElse_FailsAlreadyAssignedNamingHolder(string caller, string target)
    {
        var current = Requests.HeldBy(Anna);

        var error = Refusal.ExpectPrecondition(ErrorReasons.AlreadyAssigned,
            () => new AssignCommand(Named(caller), Named(target)).Apply(current, Requests.Now));

        Assert.Equal("operators/anna", error.Metadata["assignee"]);
    }

    [Theory]
    [InlineData("sofia", "boris")]
    [InlineData("sofia", "sofia")]
    [InlineData("root", "carla")]
    public void Assign_SupervisorReassignsHeldRequest_Succeeds(string caller, string target)
    {
        var outcome = new AssignCommand(Named(caller), Named(target)).Apply(Requests.HeldBy(Anna), Requests.Now);

        Assert.Equal(ChangeKind.Assigned, outcome.Kind);
        Assert.Equal(target, outcome.Request.Assignee);
    }

    [Fact]
    public void Assign_HolderHandsOverToColleague_Succeeds()
    {
        var outcome = new AssignCommand(Anna, Boris).Apply(Requests.HeldBy(Anna), Requests.Now);

        Assert.Equal("boris", outcome.Request.Assignee);
        Assert.Equal(RequestState.Assigned, outcome.Request.State);
    }

    [Fact]
    public void Assign_WaitingRequestHandedOver_StaysWaiting()
    {
        var outcome = new AssignCommand(Anna, Boris).Apply(Requests.HeldBy(Anna, RequestState.Waiting), Requests.Now);

        Assert.Equal("boris", outcome.Request.Assignee);
        Assert.Equal(RequestState.Waiting, outcome.Request.State);
    }

    [Theory]
    [InlineData("anna")]
    [InlineData("boris")]
    [InlineData("sofia")]
    public void Assign_ToCurrentHolder_SucceedsUnchanged(string caller)
    {
        var current = Requests.HeldBy(Anna);

        var outcome = new AssignCommand(Named(caller), Anna).Apply(current, Requests.Now);

        Assert.False(outcome.Changed);
        Assert.Equal(ChangeKind.Unspecified, outcome.Kind);
        Assert.Same(current, outcome.Request);
        Assert.Equal(Requests.Earlier, outcome.Request.UpdateTime);
    }

    [Theory]
    [InlineData("anna", "anna")]
    [InlineData("sofia", "boris")]
    public void Assign_ClosedRequest_FailsRequestClosed(string caller, string target)
    {
        var current = Requests.Closed(Anna, Anna);

        var error = Refusal.ExpectPrecondition(ErrorReasons.RequestClosed,
            () => new AssignCommand(Named(caller), Named(target)).Apply(current, Requests.Now));

        Assert.Equal("CLOSED", error.Metadata["state"]);
    }

    [Fact]
    public void Validate_DisabledTarget_FailsOperatorDisabled()
    {
        var error = Refusal.ExpectPrecondition(ErrorReasons.OperatorDisabled, () => new AssignCommand(Anna, Gone).Validate());

        Assert.Equal("operators/gone", error.Metadata["operator"]);
    }

    [Theory]
    [InlineData(Role.Intake)]
    [InlineData(Role.Unspecified)]
    public void Validate_TargetBelowOperator_RejectsAssignee(Role role) =>
        Refusal.ExpectInvalid(() => new AssignCommand(Sofia, WebForm with { Role = role }).Validate(), "assignee");

    [Theory]
    [InlineData("anna")]
    [InlineData("sofia")]
    [InlineData("root")]
    public void Validate_ActiveTargetOfOperatorRank_Passes(string target) =>
        new AssignCommand(Anna, Named(target)).Validate();
}
