using Hotline.Domain;
using static Hotline.Domain.Tests.People;

namespace Hotline.Domain.Tests;

/// <summary>What every command shares: the etag guard and when UpdateTime moves.</summary>
public class RequestCommandTests
{
    /// <summary>A command Anna may apply to <see cref="Requests.HeldBy"/>(Anna), except reopen, which needs it closed.</summary>
    private static RequestCommand Command(string kind, string? etag) => kind switch
    {
        "assign" => new AssignCommand(Anna, Boris, etag),
        "release" => new ReleaseCommand(Anna, etag),
        "note" => new AddNoteCommand(Anna, "Called back.", "note-1", etag),
        "update" => new UpdateCommand(Anna, new RequestPatch { Urgency = Urgency.ImmediateDanger }, etag),
        "close" => new CloseCommand(Anna, Resolution.Referred, "", etag),
        "reopen" => new ReopenCommand(Anna, "", etag),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a command"),
    };

    private static HelpRequest Target(string kind) => kind == "reopen" ? Requests.Closed(Anna, Anna) : Requests.HeldBy(Anna);

    [Theory]
    [InlineData("assign")]
    [InlineData("release")]
    [InlineData("note")]
    [InlineData("update")]
    [InlineData("close")]
    [InlineData("reopen")]
    public void Apply_StaleEtag_IsAbortedWithCurrentEtag(string kind)
    {
        var current = Target(kind);

        var error = Refusal.Expect(ErrorKind.Aborted, ErrorReasons.EtagMismatch, () => Command(kind, "3").Apply(current, Requests.Now));

        Assert.Equal(current.Etag, error.Metadata["current_etag"]);
    }

    [Theory]
    [InlineData("assign", ChangeKind.Assigned)]
    [InlineData("release", ChangeKind.Released)]
    [InlineData("note", ChangeKind.NoteAdded)]
    [InlineData("update", ChangeKind.Updated)]
    [InlineData("close", ChangeKind.Closed)]
    [InlineData("reopen", ChangeKind.Reopened)]
    public void Apply_CurrentOrNoEtag_DecidesTheChange(string kind, ChangeKind expected)
    {
        var current = Target(kind);

        foreach (var etag in new[] { current.Etag, "", null })
        {
            var command = Command(kind, etag);
            var outcome = command.Apply(current, Requests.Now);

            Assert.Equal(expected, command.Kind);
            Assert.Equal(expected, outcome.Kind);
            Assert.Equal(Requests.Now, outcome.Request.UpdateTime);
        }
    }

    [Fact]
    public void Apply_StaleEtag_WinsOverEveryOtherRefusal()
    {
        // Reopening an open request held by someone else would be refused for two other reasons.
        var current = Requests.HeldBy(Boris);

        Refusal.Expect(ErrorKind.Aborted, ErrorReasons.EtagMismatch, () => new ReopenCommand(Carla, "", "1").Apply(current, Requests.Now));
    }

    [Fact]
    public void Etag_IsTheRevision() => Assert.Equal("8", Requests.HeldBy(Anna).Etag);

    [Fact]
    public void Apply_Change_LeavesTheCurrentRequestUntouched()
    {
        var current = Requests.HeldBy(Anna);
        var copy = current with { };

        new CloseCommand(Anna, Resolution.Referred).Apply(current, Requests.Now);

        Assert.Equal(copy, current);
    }

    [Fact]
    public void Apply_Change_KeepsCreateTimeAndRevision()
    {
        var outcome = new AssignCommand(Anna, Anna).Apply(Requests.New(), Requests.Now);

        Assert.Equal(Requests.Created, outcome.Request.CreateTime);
        Assert.Equal(Requests.New().Revision, outcome.Request.Revision);
    }
}
