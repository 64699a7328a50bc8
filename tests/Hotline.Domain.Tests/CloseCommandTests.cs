using Hotline.Domain;
using static Hotline.Domain.Tests.People;

namespace Hotline.Domain.Tests;

public class CloseCommandTests
{
    [Theory]
    [InlineData(Resolution.Unspecified)]
    [InlineData((Resolution)9)]
    public void Validate_UnspecifiedOrUndefinedResolution_RejectsResolution(Resolution resolution) =>
        Refusal.ExpectInvalid(() => new CloseCommand(Anna, resolution, "why").Validate(), "resolution");

    [Theory]
    [InlineData("")]
    [InlineData(" \n ")]
    public void Validate_OtherWithoutComment_RejectsComment(string comment) =>
        Refusal.ExpectInvalid(() => new CloseCommand(Anna, Resolution.Other, comment).Validate(), "comment");

    [Fact]
    public void Validate_OtherWithComment_Passes() =>
        new CloseCommand(Anna, Resolution.Other, "Requester asked us to stop.").Validate();

    [Theory]
    [InlineData(Resolution.Evacuated)]
    [InlineData(Resolution.Spam)]
    [InlineData(Resolution.Duplicate)]
    public void Validate_ResolutionOtherThanOther_NeedsNoComment(Resolution resolution) =>
        new CloseCommand(Anna, resolution).Validate();

    [Fact]
    public void Validate_CommentLimit_Is2000CodePoints()
    {
        new CloseCommand(Anna, Resolution.Referred, Requests.Repeat("😀", Validation.MaxCommentLength)).Validate();
        Refusal.ExpectInvalid(() => new CloseCommand(Anna, Resolution.Referred, Requests.Repeat("😀", Validation.MaxCommentLength + 1)).Validate(), "comment");
    }

    [Fact]
    public void Validate_NoResolutionAndBadComment_NamesBoth() =>
        Refusal.ExpectInvalid(() => new CloseCommand(Anna, Resolution.Unspecified, "\0").Validate(), "resolution", "comment");

    [Theory]
    [InlineData("anna", RequestState.Assigned)]
    [InlineData("anna", RequestState.Waiting)]
    [InlineData("sofia", RequestState.Assigned)]
    [InlineData("root", RequestState.Waiting)]
    public void Close_ByHolderOrSupervisor_ClosesWithResolution(string caller, RequestState state)
    {
        var outcome = new CloseCommand(Named(caller), Resolution.LegalAid, "  Lawyer found. ").Apply(Requests.HeldBy(Anna, state), Requests.Now);

        Assert.Equal(ChangeKind.Closed, outcome.Kind);
        var closed = outcome.Request;
        Assert.Equal(RequestState.Closed, closed.State);
        Assert.Equal(Resolution.LegalAid, closed.Resolution);
        Assert.Equal("Lawyer found.", closed.ResolutionComment);
        Assert.Equal(Requests.Now, closed.CloseTime);
        Assert.Equal(Requests.Now, closed.UpdateTime);
        Assert.Equal(caller, closed.ClosedBy);
        Assert.Equal("anna", closed.Assignee);
        Assert.False(closed.IsOpen);
    }

    [Fact]
    public void Close_HeldBySomeoneElse_FailsNotAssigneeNamingHolder()
    {
        var error = Refusal.ExpectPrecondition(ErrorReasons.NotAssignee,
            () => new CloseCommand(Boris, Resolution.Spam).Apply(Requests.HeldBy(Anna), Requests.Now));

        Assert.Equal("operators/anna", error.Metadata["assignee"]);
    }

    [Theory]
    [InlineData("boris")]
    [InlineData("sofia")]
    public void Close_NewRequest_AnyoneMayClose(string caller)
    {
        var outcome = new CloseCommand(Named(caller), Resolution.Duplicate).Apply(Requests.New(), Requests.Now);

        Assert.Equal(RequestState.Closed, outcome.Request.State);
        Assert.Equal(caller, outcome.Request.ClosedBy);
        Assert.Null(outcome.Request.Assignee);
    }

    [Theory]
    [InlineData("anna")]
    [InlineData("sofia")]
    public void Close_ClosedRequest_FailsRequestClosed(string caller) =>
        Refusal.ExpectPrecondition(ErrorReasons.RequestClosed,
            () => new CloseCommand(Named(caller), Resolution.Spam).Apply(Requests.Closed(Anna, Anna), Requests.Now));
}
