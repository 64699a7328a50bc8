using Hotline.Console.Presentation;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Presentation;

public sealed class AuditRowsTests
{
    private static readonly AuditRowContext Context = new("requests/r7",
        name => name == "operators/timur" ? "Timur B." : Labels.OperatorId(name),
        name => name switch { "requests/r3" => 3, "requests/r9" => 9, "requests/r12" => 12, "requests/r15" => 15, _ => null },
        TimeZoneInfo.Utc);

    [Theory]
    [InlineData(AuditAction.Submitted, "submitted")]
    [InlineData(AuditAction.Assigned, "assigned")]
    [InlineData(AuditAction.Released, "released")]
    [InlineData(AuditAction.NoteAdded, "note added")]
    [InlineData(AuditAction.Updated, "updated")]
    [InlineData(AuditAction.Closed, "closed")]
    [InlineData(AuditAction.Reopened, "reopened")]
    [InlineData(AuditAction.Purged, "purged")]
    [InlineData(AuditAction.RetentionRun, "retention run")]
    [InlineData(AuditAction.Read, "read")]
    [InlineData(AuditAction.Listed, "seen in a list")]
    [InlineData(AuditAction.Watched, "watch started")]
    [InlineData(AuditAction.Locked, "locked down")]
    [InlineData(AuditAction.Unlocked, "unlocked")]
    [InlineData(AuditAction.Unspecified, "action 0")]
    [InlineData(AuditAction.OperatorAdded, "user added")]
    [InlineData(AuditAction.OperatorTokenRevoked, "token revoked")]
    [InlineData(AuditAction.WatchProgressed, "watch progress")]
    [InlineData(AuditAction.WatchEnded, "watch ended")]
    [InlineData((AuditAction)97, "action 97")]
    public void Action_IsReadableWordsOrItsNumber(AuditAction action, string expected) =>
        Assert.Equal(expected, AuditRows.Action(action));

    [Fact]
    public void EveryKnownAction_HasItsOwnWords()
    {
        var words = Enum.GetValues<AuditAction>().Where(a => a != AuditAction.Unspecified).Select(AuditRows.Action).ToList();

        Assert.Equal(words.Count, words.Distinct().Count());
        Assert.DoesNotContain(words, w => w.StartsWith("action ", StringComparison.Ordinal));
        Assert.All(words, w => Assert.True(w.Length <= AuditRows.MinWidths[(int)AuditColumn.Action], w));
    }

    [Theory]
    [InlineData(AuditColumn.Time, "2025-03-01 12:04:05")]
    [InlineData(AuditColumn.Who, "Timur B. (timur)")]
    [InlineData(AuditColumn.Action, "note added")]
    [InlineData(AuditColumn.Detail, "seq 41")]
    public void Cell_FormatsEachColumn(AuditColumn column, string expected)
    {
        var audit = Requests.Audit(41, AuditAction.NoteAdded, "operators/timur", Requests.T0.AddSeconds(245), "requests/r7");

        Assert.Equal(expected, AuditRows.Cell(audit, column, Context));
    }

    [Theory]
    [InlineData(true, "seq 5 · revs 40–95")]
    [InlineData(false, "seq 5 · revs 40–95+")]
    public void WatchInARequestsTrail_ShowsTheRevisionsItsStreamCovered_PlusWhileItsEndIsNotRecorded(bool ended, string expected)
    {
        var audit = Requests.Audit(5, AuditAction.Watched, "operators/timur", Requests.T0);
        audit.Watch = new AuditWatch { Stream = 5, FromRevision = 40, ThroughRevision = 40 };
        audit.Reached = new AuditWatch { Stream = 5, FromRevision = 40, ThroughRevision = 95, Ended = ended };

        Assert.Equal(expected, AuditRows.Detail(audit, Context));
    }

    [Fact]
    public void Time_IsInTheConsolesZone()
    {
        var moscow = TimeZoneInfo.CreateCustomTimeZone("UTC+3", TimeSpan.FromHours(3), "UTC+3", "UTC+3");

        Assert.Equal("2025-03-01 15:00:00", AuditRows.Time(Requests.T0, moscow));
    }

    [Theory]
    [InlineData("operators/anna", "anna")]
    [InlineData("operators/retention", "retention")]
    [InlineData("operators/admin", "admin")]
    public void Who_WithoutADisplayName_IsTheId(string actor, string expected) =>
        Assert.Equal(expected, AuditRows.Cell(Requests.Audit(1, AuditAction.Locked, actor, Requests.T0), AuditColumn.Who, Context));

    public static TheoryData<string[], string> Details => new()
    {
        { ["requests/r7"], "seq 5" },
        { [], "seq 5" },
        { ["requests/r3", "requests/r7"], "seq 5 · with #3" },
        { ["requests/r7", "requests/r3", "requests/r9", "requests/r12", "requests/r15"], "seq 5 · with #3, #9, #12 +1" },
        { ["requests/r3", "requests/r7", "requests/gone"], "seq 5 · with #3 +1" },
        { ["requests/r7", "requests/gone"], "seq 5 · with 1 other" },
        { ["requests/gone", "requests/r7", "requests/purged"], "seq 5 · with 2 others" },
    };

    [Theory]
    [MemberData(nameof(Details))]
    public void Detail_NamesTheOtherRequestsByNumberWhenLoaded(string[] requests, string expected) =>
        Assert.Equal(expected, AuditRows.Detail(Requests.Audit(5, AuditAction.Listed, "operators/anna", Requests.T0, requests), Context));

    [Fact]
    public void Detail_NamesTheAccountOfAnAccountEvent()
    {
        var revoked = Requests.Audit(9, AuditAction.OperatorTokenRevoked, "operators/anna", Requests.T0);
        revoked.Operator = "operators/anna";

        Assert.Equal("seq 9 · account anna", AuditRows.Detail(revoked, Context));
    }

    [Fact]
    public void Headers_MatchTheColumns()
    {
        Assert.Equal(Enum.GetValues<AuditColumn>().Length, AuditRows.Headers.Count);
        Assert.Equal(AuditRows.Headers.Count, AuditRows.MinWidths.Count);
    }

    [Theory]
    [InlineData(OperatorRole.Admin, true)]
    [InlineData(OperatorRole.Supervisor, true)]
    [InlineData(OperatorRole.Operator, false)]
    [InlineData(OperatorRole.Intake, false)]
    [InlineData(OperatorRole.Unspecified, false)]
    public void MayRead_OnlySupervisorsAndAdmins(OperatorRole role, bool expected) =>
        Assert.Equal(expected, AuditRows.MayRead(Requests.Operator("x", "X", role)));

    [Fact]
    public void NotForYou_SaysWhyInOneLine()
    {
        Assert.False(AuditRows.MayRead(null));
        Assert.Equal("The audit trail is for supervisors and admins.", AuditRows.NotForYou(Requests.Anna));
        Assert.True(AuditRows.NotForYou(null).Length <= 80);
    }

    [Theory]
    [InlineData(true, 0, false, null, "loading…")]
    [InlineData(false, 0, false, null, "No audit event names #12.")]
    [InlineData(false, 1, false, null, "1 event for #12, oldest first")]
    [InlineData(false, 7, false, null, "7 events for #12, oldest first")]
    [InlineData(false, 100, true, null, "100 events for #12, oldest first · more on the server")]
    [InlineData(true, 100, true, null, "100 events for #12, oldest first · loading more…")]
    [InlineData(false, 0, false, "Could not list the audit trail of #12: it no longer exists.",
        "Could not list the audit trail of #12: it no longer exists.")]
    public void Summary_SaysWhatIsShown(bool loading, int shown, bool hasMore, string? failure, string expected) =>
        Assert.Equal(expected, AuditRows.Summary(12, loading, shown, hasMore, failure));

    [Theory]
    [InlineData(true, false, "Enter try again · Esc close")]
    [InlineData(false, true, "more load at the end · Esc close")]
    [InlineData(false, false, "Esc close")]
    public void Hint_SaysWhatTheKeysDo(bool failed, bool hasMore, string expected) =>
        Assert.Equal(expected, AuditRows.Hint(failed, hasMore));
}
