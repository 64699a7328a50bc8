using Hotline.Domain;
using static Hotline.Domain.Tests.People;

namespace Hotline.Domain.Tests;

public class ReopenCommandTests
{
    [Theory]
    [InlineData(RequestState.New, "NEW")]
    [InlineData(RequestState.Assigned, "ASSIGNED")]
    [InlineData(RequestState.Waiting, "WAITING")]
    public void Reopen_OpenRequest_FailsRequestOpenNamingState(RequestState state, string named)
    {
        var current = state == RequestState.New ? Requests.New() : Requests.HeldBy(Anna, state);

        var error = Refusal.ExpectPrecondition(ErrorReasons.RequestOpen, () => new ReopenCommand(Sofia).Apply(current, Requests.Now));

        Assert.Equal(named, error.Metadata["state"]);
    }

    [Fact]
    public void Reopen_HadAssignee_GoesBackToThemAssigned()
    {
        var outcome = new ReopenCommand(Anna).Apply(Requests.Closed(Anna, Anna), Requests.Now);

        Assert.Equal(ChangeKind.Reopened, outcome.Kind);
        var reopened = outcome.Request;
        Assert.Equal(RequestState.Assigned, reopened.State);
        Assert.Equal("anna", reopened.Assignee);
        Assert.Equal(Resolution.Unspecified, reopened.Resolution);
        Assert.Equal("", reopened.ResolutionComment);
        Assert.Null(reopened.CloseTime);
        Assert.Null(reopened.ClosedBy);
        Assert.Equal(Requests.Now, reopened.UpdateTime);
        Assert.Empty(reopened.Notes);
    }

    [Fact]
    public void Reopen_ClosedWhileNew_GoesBackToNew()
    {
        var outcome = new ReopenCommand(Boris).Apply(Requests.Closed(lastAssignee: null, closer: Boris), Requests.Now);

        Assert.Equal(RequestState.New, outcome.Request.State);
        Assert.Null(outcome.Request.Assignee);
    }

    [Theory]
    [InlineData("anna")]
    [InlineData("boris")]
    [InlineData("sofia")]
    [InlineData("root")]
    public void Reopen_ByLastAssigneeCloserOrSupervisor_Succeeds(string caller)
    {
        var current = Requests.Closed(lastAssignee: Anna, closer: Boris);

        Assert.True(new ReopenCommand(Named(caller)).Apply(current, Requests.Now).Changed);
    }

    [Theory]
    [InlineData("anna", "boris")]
    [InlineData(null, "boris")]
    public void Reopen_ByAnyoneElse_IsPermissionDeniedNeedingSupervisor(string? lastAssignee, string closer)
    {
        var current = Requests.Closed(lastAssignee is null ? null : Named(lastAssignee), Named(closer));

        var error = Refusal.Expect(ErrorKind.PermissionDenied, ErrorReasons.PermissionDenied,
            () => new ReopenCommand(Carla).Apply(current, Requests.Now));

        Assert.Equal("SUPERVISOR", error.Metadata["required_role"]);
    }

    [Fact]
    public void Reopen_WithComment_AppendsItAsNote()
    {
        var current = Requests.Closed(Anna, Anna) with { Notes = [new Note("1", "anna", Requests.Created, "first")] };

        var outcome = new ReopenCommand(Sofia, "  She wrote again from a new number.\n").Apply(current, Requests.Now);

        Assert.Equal(2, outcome.Request.Notes.Count);
        Assert.Equal(new Note("2", "sofia", Requests.Now, "She wrote again from a new number."), outcome.Request.Notes[1]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    public void Reopen_WithoutComment_AddsNoNote(string comment) =>
        Assert.Empty(new ReopenCommand(Anna, comment).Apply(Requests.Closed(Anna, Anna), Requests.Now).Request.Notes);

    [Fact]
    public void Validate_CommentLimit_Is2000CodePoints()
    {
        new ReopenCommand(Anna, Requests.Repeat("ж", Validation.MaxCommentLength)).Validate();
        Refusal.ExpectInvalid(() => new ReopenCommand(Anna, Requests.Repeat("ж", Validation.MaxCommentLength + 1)).Validate(), "comment");
    }

    [Fact]
    public void Validate_CommentWithControlCharacter_RejectsComment() =>
        Refusal.ExpectInvalid(() => new ReopenCommand(Anna, "\a").Validate(), "comment");
}
