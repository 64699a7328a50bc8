using Hotline.Domain;
using static Hotline.Domain.Tests.People;

namespace Hotline.Domain.Tests;

public class AddNoteCommandTests
{
    [Theory]
    [InlineData("")]
    [InlineData("  \n\t")]
    public void Validate_EmptyOrWhitespaceText_RejectsText(string text) =>
        Refusal.ExpectInvalid(() => new AddNoteCommand(Anna, text).Validate(), "text");

    [Theory]
    [InlineData("ж")]
    [InlineData("😀")]
    public void Validate_TextLimit_CountsCodePoints(string unit)
    {
        new AddNoteCommand(Anna, Requests.Repeat(unit, Validation.MaxNoteLength)).Validate();
        Refusal.ExpectInvalid(() => new AddNoteCommand(Anna, Requests.Repeat(unit, Validation.MaxNoteLength + 1)).Validate(), "text");
    }

    [Fact]
    public void Validate_TextWithControlCharacter_RejectsText() =>
        Refusal.ExpectInvalid(() => new AddNoteCommand(Anna, "called back\u001b[31m").Validate(), "text");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("note-1")]
    public void Validate_AbsentOrWellFormedRequestId_Passes(string? requestId) =>
        new AddNoteCommand(Anna, "Called back, no answer.", requestId).Validate();

    [Fact]
    public void Validate_BadTextAndRequestId_NamesBoth() =>
        Refusal.ExpectInvalid(() => new AddNoteCommand(Anna, " ", "not valid").Validate(), "text", "request_id");

    [Fact]
    public void AddNote_OpenRequest_AppendsNoteStampedWithCallerAndNow()
    {
        var outcome = new AddNoteCommand(Anna, "Called back, no answer.", "note-1").Apply(Requests.New(), Requests.Now);

        Assert.Equal(ChangeKind.NoteAdded, outcome.Kind);
        var note = Assert.Single(outcome.Request.Notes);
        Assert.Equal(new Note("1", "anna", Requests.Now, "Called back, no answer.", "note-1"), note);
        Assert.Equal(Requests.Now, outcome.Request.UpdateTime);
        Assert.Equal(RequestState.New, outcome.Request.State);
    }

    [Fact]
    public void AddNote_WithoutRequestId_StoresNullRequestId()
    {
        var outcome = new AddNoteCommand(Anna, "text", "").Apply(Requests.New(), Requests.Now);

        Assert.Null(Assert.Single(outcome.Request.Notes).RequestId);
    }

    [Theory]
    [InlineData("boris")]
    [InlineData("sofia")]
    public void AddNote_RequestHeldBySomeoneElse_AnyOperatorMayAnnotate(string caller)
    {
        var outcome = new AddNoteCommand(Named(caller), "Seen the same number in request 12.").Apply(Requests.HeldBy(Anna), Requests.Now);

        Assert.Equal(caller, Assert.Single(outcome.Request.Notes).Author);
    }

    [Fact]
    public void AddNote_Successive_GetDistinctIncreasingIds()
    {
        var current = Requests.HeldBy(Anna);
        foreach (var text in new[] { "first", "second", "third" })
        {
            current = new AddNoteCommand(Anna, text).Apply(current, Requests.Now).Request;
        }

        Assert.Equal(["1", "2", "3"], current.Notes.Select(n => n.Id));
        Assert.Equal(["first", "second", "third"], current.Notes.Select(n => n.Text));
    }

    [Fact]
    public void AddNote_RetryWithSameRequestId_SucceedsUnchanged()
    {
        var once = new AddNoteCommand(Anna, "Called back.", "note-1").Apply(Requests.HeldBy(Anna), Requests.Now).Request;

        var retry = new AddNoteCommand(Anna, "Called back.", "note-1").Apply(once, Requests.Now.AddSeconds(5));

        Assert.False(retry.Changed);
        Assert.Same(once, retry.Request);
        Assert.Single(retry.Request.Notes);
    }

    [Fact]
    public void AddNote_RetryWithSameRequestIdAndTheEtagItWasFirstSentWith_SucceedsUnchanged()
    {
        var read = Requests.HeldBy(Anna);
        var once = new AddNoteCommand(Anna, "Called back.", "note-1", read.Etag).Apply(read, Requests.Now).Request;
        var stored = once with { Revision = read.Revision + 1 };

        // The first reply was lost, so the client retries exactly what it sent; its own note moved the etag on.
        var retry = new AddNoteCommand(Anna, "Called back.", "note-1", read.Etag).Apply(stored, Requests.Now.AddSeconds(5));

        Assert.False(retry.Changed);
        Assert.Single(retry.Request.Notes);
    }

    [Fact]
    public void AddNote_DifferentRequestIds_AddsBoth()
    {
        var current = new AddNoteCommand(Anna, "same text", "note-1").Apply(Requests.New(), Requests.Now).Request;

        var outcome = new AddNoteCommand(Anna, "same text", "note-2").Apply(current, Requests.Now);

        Assert.True(outcome.Changed);
        Assert.Equal(2, outcome.Request.Notes.Count);
    }

    [Fact]
    public void AddNote_SameTextWithoutRequestId_IsNotDeduplicated()
    {
        var current = new AddNoteCommand(Anna, "same text").Apply(Requests.New(), Requests.Now).Request;

        var outcome = new AddNoteCommand(Anna, "same text").Apply(current, Requests.Now);

        Assert.Equal(2, outcome.Request.Notes.Count);
    }

    [Theory]
    [InlineData("anna")]
    [InlineData("sofia")]
    public void AddNote_ClosedRequest_FailsRequestClosed(string caller) =>
        Refusal.ExpectPrecondition(ErrorReasons.RequestClosed,
            () => new AddNoteCommand(Named(caller), "too late", "note-9").Apply(Requests.Closed(Anna, Anna), Requests.Now));

    [Fact]
    public void AddNote_RetryAfterRequestWasClosed_SucceedsUnchanged()
    {
        var noted = new AddNoteCommand(Anna, "Evacuated tonight.", "note-1").Apply(Requests.HeldBy(Anna), Requests.Now).Request;
        var closed = new CloseCommand(Anna, Resolution.Evacuated).Apply(noted, Requests.Now).Request;

        var retry = new AddNoteCommand(Anna, "Evacuated tonight.", "note-1").Apply(closed, Requests.Now);

        Assert.False(retry.Changed);
        Assert.Equal(RequestState.Closed, retry.Request.State);
    }
}
