using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Model;

public sealed class QueueModelTests
{
    private readonly QueueModel _model = new();

    [Fact]
    public void SnapshotPagesThenEnd_ReplaceEverythingAtItsRevision()
    {
        _model.Apply([new StreamOpened(0), Requests.Snapshot(Requests.Make(1)), Requests.Snapshot(Requests.Make(2))]);
        Assert.False(_model.Loaded);
        Assert.Equal(0, _model.Count);

        var delta = _model.Apply([Requests.SnapshotEnd(40)]);

        Assert.True(_model.Loaded);
        Assert.True(delta.Reloaded);
        Assert.Equal(40, _model.Revision);
        Assert.Equal(2, _model.Count);
    }

    [Fact]
    public void Changes_ApplyInOrderAndMoveTheRevision()
    {
        Load(Requests.Make(1));
        var claimed = Requests.Make(1).With(41, r => r.Assignee = "operators/anna");

        var delta = _model.Apply([Requests.Change(41, ChangeKind.Assigned, claimed), Requests.Change(42, ChangeKind.Created, Requests.Make(2, revision: 42))]);

        Assert.Equal(42, _model.Revision);
        Assert.Equal("operators/anna", _model.Find("requests/r1")!.Assignee);
        Assert.Equal(["requests/r1", "requests/r2"], delta.ChangedNames.Order());
        Assert.Equal(2, Assert.Single(delta.Created).Number);
    }

    [Fact]
    public void ChangesAtOrBelowTheRevision_AreIgnoredAsDuplicates()
    {
        Load(Requests.Make(1));
        var first = Requests.Make(1).With(41, r => r.Notes.Add(new Note { Text = "первая" }));
        _model.Apply([Requests.Change(41, ChangeKind.NoteAdded, first)]);
        var stale = Requests.Make(1).With(39, r => r.Message = "old");

        var delta = _model.Apply([Requests.Change(41, ChangeKind.NoteAdded, first), Requests.Change(39, ChangeKind.Updated, stale)]);

        Assert.Equal(2, _model.DuplicatesIgnored);
        Assert.Empty(delta.ChangedNames);
        Assert.Single(_model.Find("requests/r1")!.Notes);
        Assert.Equal(41, _model.Revision);
    }

    [Fact]
    public void StreamBrokenMidSnapshot_DiscardsThePartialPages()
    {
        _model.Apply([new StreamOpened(0), Requests.Snapshot(Requests.Make(1), Requests.Make(2))]);

        _model.Apply([new StreamOpened(0), Requests.Snapshot(Requests.Make(3)), Requests.SnapshotEnd(50)]);

        Assert.Equal(["requests/r3"], _model.Requests.Select(r => r.Name));
    }

    [Fact]
    public void ResetAfterCompaction_ReloadsCleanlyDroppingWhatIsGone()
    {
        Load(Requests.Make(1), Requests.Make(2));

        var delta = _model.Apply([new StreamOpened(41), Requests.Reset(), Requests.Snapshot(Requests.Make(2, revision: 60)), Requests.SnapshotEnd(90)]);

        Assert.True(delta.Reloaded);
        Assert.Equal(90, _model.Revision);
        Assert.Equal(["requests/r2"], _model.Requests.Select(r => r.Name));
    }

    [Fact]
    public void Progress_MovesTheRevisionOnly()
    {
        Load(Requests.Make(1));

        var delta = _model.Apply([Requests.Progress(77)]);

        Assert.Equal(77, _model.Revision);
        Assert.False(delta.RequestsChanged);
    }

    [Fact]
    public void OwnMutationResult_IsNotOverwrittenByTheOlderStreamedVersion()
    {
        Load(Requests.Make(1));
        var mine = Requests.Make(1).With(45, r => r.Assignee = "operators/anna");
        Assert.True(_model.Upsert(mine));
        var older = Requests.Make(1).With(44, r => r.Urgency = Urgency.Urgent);

        _model.Apply([Requests.Change(44, ChangeKind.Updated, older), Requests.Change(45, ChangeKind.Assigned, mine)]);

        Assert.Equal("operators/anna", _model.Find("requests/r1")!.Assignee);
        Assert.Equal(45, _model.Revision);
        Assert.False(_model.Upsert(older));
    }

    [Fact]
    public void DeletedChange_RemovesTheRequest()
    {
        Load(Requests.Make(1), Requests.Make(2));

        _model.Apply([new FeedMessage(new WatchRequestsResponse { Change = new RequestChange { Revision = 41, Kind = ChangeKind.Deleted, Name = "requests/r1" } })]);

        Assert.Null(_model.Find("requests/r1"));
        Assert.Equal(1, _model.Count);
    }

    [Fact]
    public void OneBatch_NotifiesListenersOnce()
    {
        Load(Requests.Make(1));
        var notifications = 0;
        _model.Changed += _ => notifications++;

        _model.Apply([.. Enumerable.Range(41, 500).Select(rev => Requests.Change(rev, ChangeKind.Updated, Requests.Make(1).With(rev, r => r.Tags.Add("t"))))]);

        Assert.Equal(1, notifications);
    }

    [Fact]
    public void ConnectionAndIdentity_AreKeptForTheStatusLine()
    {
        var retrying = new ConnectionStatus(LinkState.Retrying, Requests.T0, Requests.T0.AddSeconds(4), "server unreachable");

        var delta = _model.Apply([new IdentityKnown(Requests.Anna, [Requests.Timur]), new ConnectionChanged(retrying)]);

        Assert.True(delta.ConnectionChanged);
        Assert.Equal(retrying, _model.Connection);
        Assert.Equal("Timur B.", _model.DisplayName("operators/timur"));
        Assert.Equal("ghost", _model.DisplayName("operators/ghost"));
    }

    /// <summary>
    /// One rule names a person everywhere there is room: display name, then the id in brackets
    /// (Labels.Person), or the id alone when the display name is empty or is the id. The names
    /// come from the latest operator list, and someone who leaves it keeps the name last seen.
    /// </summary>
    public static TheoryData<string, Operator[], Operator[], string, string> People => new()
    {
        { "listed", [Requests.Anna], [], "operators/anna", "Anna K. (anna)" },
        { "display name is the id", [Requests.Operator("dev", "dev", OperatorRole.Admin)], [], "operators/dev", "dev" },
        { "blank display name", [Requests.Operator("x", "  ")], [], "operators/x", "x" },
        { "never listed", [Requests.Anna], [], "operators/ghost", "ghost" },
        { "renamed since", [Requests.Anna], [Requests.Operator("anna", "Anna Kowalska")], "operators/anna", "Anna Kowalska (anna)" },
        { "added since the console connected", [Requests.Timur], [Requests.Timur, Requests.Anna], "operators/anna", "Anna K. (anna)" },
        { "disabled since: left the list", [Requests.Anna, Requests.Timur], [Requests.Timur], "operators/anna", "Anna K. (anna)" },
        { "the signed-in person, not in the list", [], [], "operators/lena", "Lena S. (lena)" },
    };

    [Theory]
    [MemberData(nameof(People))]
    public void PersonNames_FollowOneRule_FromTheLatestList(string scenario, Operator[] first, Operator[] later, string who, string expected)
    {
        _model.Apply([new IdentityKnown(Requests.Lena, first)]);
        if (later.Length > 0)
        {
            _model.Apply([new IdentityKnown(Requests.Lena, later)]);
        }

        Assert.True(expected == Hotline.Console.Presentation.Labels.Person(who, _model.DisplayName), scenario);
    }

    [Fact]
    public void Operators_AreTheLatestListWithWhoIsConnected()
    {
        var timur = Requests.Timur.Clone();
        timur.Connected = true;
        _model.Apply([new IdentityKnown(Requests.Lena, [Requests.Timur, Requests.Anna])]);

        _model.Apply([new IdentityKnown(Requests.Lena, [timur])]);

        Assert.Equal([timur], _model.Operators);
        Assert.True(_model.Operators[0].Connected);
    }

    [Fact]
    public void RequestNamingSomeoneUnknown_AsksForTheListOncePerPerson()
    {
        var asked = 0;
        _model.OperatorsOutdated += () => asked++;
        _model.Apply([new IdentityKnown(Requests.Anna, [Requests.Anna])]);
        Load(Requests.Make(1, state: RequestState.Assigned, assignee: "operators/anna"));
        Assert.Equal(0, asked);

        _model.Apply([Requests.Change(41, ChangeKind.Assigned, Requests.Make(1).With(41, r => r.Assignee = "operators/zoe"))]);
        Assert.Equal(1, asked);

        // Still unknown after the list was read (disabled, say): not asked about again.
        _model.Apply([new IdentityKnown(Requests.Anna, [Requests.Anna])]);
        _model.Apply([Requests.Change(42, ChangeKind.NoteAdded, Requests.Make(1).With(42, r =>
        {
            r.Assignee = "operators/zoe";
            r.Notes.Add(new Note { Author = "operators/zoe", Text = "Перезвонила" });
        }))]);
        Assert.Equal(1, asked);

        Load(Requests.Make(2, state: RequestState.Closed, assignee: "operators/vera"));
        Assert.Equal(2, asked);
    }

    [Fact]
    public void OpenCount_FollowsSnapshotsChangesDeletionsAndUpserts()
    {
        Load(Requests.Make(1), Requests.Make(2), Requests.Make(3, state: RequestState.Closed));
        Assert.Equal(2, _model.OpenCount);

        _model.Apply(
        [
            Requests.Change(41, ChangeKind.Closed, Requests.Make(1, state: RequestState.Closed, revision: 41)),
            Requests.Change(42, ChangeKind.Created, Requests.Make(4, revision: 42)),
            new FeedMessage(new WatchRequestsResponse { Change = new RequestChange { Revision = 43, Kind = ChangeKind.Deleted, Name = "requests/r2" } }),
        ]);
        Assert.Equal(1, _model.OpenCount);

        _model.Upsert(Requests.Make(3, revision: 44));
        Assert.Equal(2, _model.OpenCount);
        Assert.Equal(_model.Requests.Count(r => r.State != RequestState.Closed), _model.OpenCount);
    }

    private void Load(params HelpRequest[] requests) =>
        _model.Apply([new StreamOpened(0), Requests.Snapshot(requests), Requests.SnapshotEnd(40)]);
}
