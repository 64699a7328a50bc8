using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;
using static Hotline.Domain.Tests.People;

namespace Hotline.Domain.Tests;

public class FollowUpCommandTests
{
    private readonly FakeTimeProvider _clock = new(Requests.Now);

    private DateTimeOffset InHours(int hours) => _clock.GetUtcNow().AddHours(hours);

    [Theory]
    [InlineData("anna")]
    [InlineData("sofia")]
    public void SetFollowUp_ByHolderOrSupervisor_MakesItWaitWithTheFollowUp(string caller)
    {
        var outcome = new SetFollowUpCommand(Named(caller), InHours(3), "  call back after the lawyer  ").Apply(Requests.HeldBy(Anna), _clock.GetUtcNow());

        Assert.Equal(ChangeKind.FollowUpSet, outcome.Kind);
        Assert.Equal(RequestState.Waiting, outcome.Request.State);
        Assert.Equal(new FollowUp(InHours(3), "call back after the lawyer", caller, Due: false), outcome.Request.FollowUp);
    }

    [Fact]
    public void SetFollowUp_BySomeoneElse_IsPermissionDenied()
    {
        Refusal.Expect(ErrorKind.PermissionDenied, ErrorReasons.PermissionDenied,
            () => new SetFollowUpCommand(Boris, InHours(3), "check").Apply(Requests.HeldBy(Anna), _clock.GetUtcNow()));
    }

    [Fact]
    public void SetFollowUp_NotHeld_FailsNotAssigned()
    {
        Refusal.ExpectPrecondition(ErrorReasons.NotAssigned,
            () => new SetFollowUpCommand(Anna, InHours(3), "check").Apply(Requests.New(), _clock.GetUtcNow()));
    }

    [Fact]
    public void SetFollowUp_Closed_FailsRequestClosed()
    {
        Refusal.ExpectPrecondition(ErrorReasons.RequestClosed,
            () => new SetFollowUpCommand(Anna, InHours(3), "check").Apply(Requests.Closed(Anna, Anna), _clock.GetUtcNow()));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(24 * 91)]
    public void SetFollowUp_PastNowOrTooFar_IsInvalidOnDueTime(int hours)
    {
        Refusal.ExpectInvalid(() => new SetFollowUpCommand(Anna, InHours(hours), "check").Apply(Requests.HeldBy(Anna), _clock.GetUtcNow()),
            "due_time");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("two\nlines")]
    public void SetFollowUp_EmptyOrMultiLineReason_IsInvalidOnReason(string reason)
    {
        Refusal.ExpectInvalid(() => new SetFollowUpCommand(Anna, InHours(1), reason).Validate(), "reason");
    }

    [Fact]
    public void SetFollowUp_ReasonTooLong_IsInvalidOnReason()
    {
        Refusal.ExpectInvalid(() => new SetFollowUpCommand(Anna, InHours(1), Requests.Repeat("я", Validation.MaxFollowUpReasonLength + 1)).Validate(),
            "reason");
    }

    [Fact]
    public void MarkDue_OnlyOnceTheTimeHasPassed_AndOnlyOnce()
    {
        var waiting = new SetFollowUpCommand(Anna, InHours(2), "check").Apply(Requests.HeldBy(Anna), _clock.GetUtcNow()).Request;

        _clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.False(new MarkFollowUpDueCommand().Apply(waiting, _clock.GetUtcNow()).Changed);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var due = new MarkFollowUpDueCommand().Apply(waiting, _clock.GetUtcNow());
        Assert.Equal(ChangeKind.FollowUpDue, due.Kind);
        Assert.True(due.Request.FollowUp!.Due);
        Assert.Equal(ServerActor.Id, new MarkFollowUpDueCommand().Caller.Id);

        Assert.False(new MarkFollowUpDueCommand().Apply(due.Request, _clock.GetUtcNow()).Changed);
    }

    [Fact]
    public void BackToAssigned_ClearsTheFollowUp()
    {
        var waiting = new SetFollowUpCommand(Anna, InHours(2), "check").Apply(Requests.HeldBy(Anna), _clock.GetUtcNow()).Request;

        var acted = new UpdateCommand(Anna, new RequestPatch { State = RequestState.Assigned }).Apply(waiting, _clock.GetUtcNow());

        Assert.True(acted.Changed);
        Assert.Null(acted.Request.FollowUp);
    }

    [Fact]
    public void CloseAndRelease_ClearTheFollowUp_HandOverKeepsIt()
    {
        var waiting = new SetFollowUpCommand(Anna, InHours(2), "check").Apply(Requests.HeldBy(Anna), _clock.GetUtcNow()).Request;

        Assert.Null(new CloseCommand(Anna, Resolution.Referred).Apply(waiting, _clock.GetUtcNow()).Request.FollowUp);
        Assert.Null(new ReleaseCommand(Anna).Apply(waiting, _clock.GetUtcNow()).Request.FollowUp);
        Assert.NotNull(new AssignCommand(Anna, Boris).Apply(waiting, _clock.GetUtcNow()).Request.FollowUp);
    }

    [Fact]
    public void HandOver_WithNote_AddsTheNoteAndNamesItForTheReceiver()
    {
        var handed = new AssignCommand(Anna, Boris, HandOverNote: " She answers only after 20:00. ").Apply(Requests.HeldBy(Anna), _clock.GetUtcNow()).Request;

        var note = Assert.Single(handed.Notes);
        Assert.Equal("She answers only after 20:00.", note.Text);
        Assert.Equal(new HandOver("anna", "boris", note.Id, _clock.GetUtcNow()), handed.HandOver);
        Assert.Equal("boris", handed.Assignee);
    }

    [Fact]
    public void HandOver_NextAssignmentWithoutNote_EndsTheHandOver()
    {
        var handed = new AssignCommand(Anna, Boris, HandOverNote: "call her").Apply(Requests.HeldBy(Anna), _clock.GetUtcNow()).Request;

        var again = new AssignCommand(Sofia, Carla).Apply(handed, _clock.GetUtcNow()).Request;

        Assert.Null(again.HandOver);
        Assert.Single(again.Notes);
    }

    [Fact]
    public void HandOver_NoteOnOwnClaimOrTooLong_IsInvalidOnTheNote()
    {
        Refusal.ExpectInvalid(() => new AssignCommand(Anna, Anna, HandOverNote: "note to self").Validate(), "hand_over_note");
        Refusal.ExpectInvalid(() => new AssignCommand(Anna, Boris, HandOverNote: Requests.Repeat("a", Validation.MaxHandOverNoteLength + 1)).Validate(),
            "hand_over_note");
    }
}
