using Hotline.Domain;
using static Hotline.Domain.Tests.People;

namespace Hotline.Domain.Tests;

public class UpdateCommandTests
{
    private static UpdateCommand Update(OperatorAccount caller, RequestPatch patch) => new(caller, patch);

    [Fact]
    public void Validate_EmptyPatch_RejectsUpdateMask() =>
        Refusal.ExpectInvalid(() => Update(Anna, new RequestPatch()).Validate(), "update_mask");

    [Theory]
    [InlineData(RequestState.New)]
    [InlineData(RequestState.Closed)]
    [InlineData(RequestState.Unspecified)]
    [InlineData((RequestState)7)]
    public void Validate_StateOtherThanAssignedOrWaiting_RejectsState(RequestState state) =>
        Refusal.ExpectInvalid(() => Update(Anna, new RequestPatch { State = state }).Validate(), "request.state");

    [Theory]
    [InlineData(Urgency.Unspecified)]
    [InlineData((Urgency)4)]
    public void Validate_UnspecifiedOrUndefinedUrgency_RejectsUrgency(Urgency urgency) =>
        Refusal.ExpectInvalid(() => Update(Anna, new RequestPatch { Urgency = urgency }).Validate(), "request.urgency");

    [Fact]
    public void Validate_EveryFieldBad_NamesEachUnderRequest()
    {
        var patch = new RequestPatch
        {
            Urgency = Urgency.Unspecified,
            Tags = ["ok", "not ok"],
            Language = "en_GB",
            Region = "a\nb",
            State = RequestState.New,
        };

        Refusal.ExpectInvalid(() => Update(Anna, patch).Validate(),
            "request.urgency", "request.tags[1]", "request.language", "request.region", "request.state");
    }

    [Fact]
    public void Validate_TooManyTags_RejectsTags() =>
        Refusal.ExpectInvalid(
            () => Update(Anna, new RequestPatch { Tags = Enumerable.Range(0, Validation.MaxTags + 1).Select(i => $"t{i}").ToList() }).Validate(),
            "request.tags");

    [Theory]
    [InlineData("anna")]
    [InlineData("boris")]
    [InlineData("sofia")]
    public void Update_NewRequest_AnyoneMayTriage(string caller)
    {
        var patch = new RequestPatch { Urgency = Urgency.ImmediateDanger, Language = "ce", Region = " Argun ", Tags = ["legal", "medical"] };

        var outcome = Update(Named(caller), patch).Apply(Requests.New(), Requests.Now);

        Assert.Equal(ChangeKind.Updated, outcome.Kind);
        Assert.Equal(Urgency.ImmediateDanger, outcome.Request.Urgency);
        Assert.Equal("ce", outcome.Request.Language);
        Assert.Equal("Argun", outcome.Request.Region);
        Assert.Equal(["legal", "medical"], outcome.Request.Tags);
        Assert.Equal(RequestState.New, outcome.Request.State);
        Assert.Equal(Requests.Now, outcome.Request.UpdateTime);
    }

    [Fact]
    public void Update_OnlyNamedFields_Change()
    {
        var outcome = Update(Anna, new RequestPatch { Region = "Argun" }).Apply(Requests.New(), Requests.Now);

        var before = Requests.New();
        Assert.Equal(before.Urgency, outcome.Request.Urgency);
        Assert.Equal(before.Language, outcome.Request.Language);
        Assert.Equal(before.Tags, outcome.Request.Tags);
    }

    [Fact]
    public void Update_EmptyLanguage_ClearsIt() =>
        Assert.Equal("", Update(Anna, new RequestPatch { Language = "" }).Apply(Requests.New(), Requests.Now).Request.Language);

    [Theory]
    [InlineData(RequestState.Assigned, RequestState.Waiting)]
    [InlineData(RequestState.Waiting, RequestState.Assigned)]
    public void Update_HolderMovesBetweenAssignedAndWaiting_Succeeds(RequestState from, RequestState to)
    {
        var outcome = Update(Anna, new RequestPatch { State = to }).Apply(Requests.HeldBy(Anna, from), Requests.Now);

        Assert.Equal(to, outcome.Request.State);
        Assert.Equal("anna", outcome.Request.Assignee);
    }

    [Theory]
    [InlineData(RequestState.Waiting)]
    [InlineData(RequestState.Assigned)]
    public void Update_StateOfNewRequest_FailsNotAssigned(RequestState state)
    {
        var error = Refusal.ExpectPrecondition(ErrorReasons.NotAssigned,
            () => Update(Sofia, new RequestPatch { State = state }).Apply(Requests.New(), Requests.Now));

        Assert.Equal("NEW", error.Metadata["state"]);
    }

    [Fact]
    public void Update_HeldBySomeoneElse_FailsNotAssigneeNamingHolder()
    {
        var error = Refusal.ExpectPrecondition(ErrorReasons.NotAssignee,
            () => Update(Boris, new RequestPatch { Urgency = Urgency.Routine }).Apply(Requests.HeldBy(Anna), Requests.Now));

        Assert.Equal("operators/anna", error.Metadata["assignee"]);
    }

    [Fact]
    public void Update_SupervisorOnHeldRequest_Succeeds()
    {
        var outcome = Update(Sofia, new RequestPatch { State = RequestState.Waiting }).Apply(Requests.HeldBy(Anna), Requests.Now);

        Assert.Equal(RequestState.Waiting, outcome.Request.State);
    }

    [Theory]
    [InlineData("anna")]
    [InlineData("sofia")]
    public void Update_ClosedRequest_FailsRequestClosed(string caller) =>
        Refusal.ExpectPrecondition(ErrorReasons.RequestClosed,
            () => Update(Named(caller), new RequestPatch { Urgency = Urgency.Routine }).Apply(Requests.Closed(Anna, Anna), Requests.Now));

    public static readonly TheoryData<RequestPatch> NoOpPatches =
    [
        new RequestPatch { Urgency = Urgency.Urgent },
        new RequestPatch { Tags = ["legal"] },
        new RequestPatch { Tags = ["legal", "legal"] },
        new RequestPatch { Language = "ru" },
        new RequestPatch { Region = "  Grozny " },
        new RequestPatch { State = RequestState.Assigned },
        new RequestPatch { Urgency = Urgency.Urgent, Tags = ["legal"], Language = "ru", Region = "Grozny", State = RequestState.Assigned },
    ];

    [Theory]
    [MemberData(nameof(NoOpPatches))]
    public void Update_ToValuesAlreadyStored_SucceedsUnchanged(RequestPatch patch)
    {
        var current = Requests.HeldBy(Anna);

        var outcome = Update(Anna, patch).Apply(current, Requests.Now);

        Assert.False(outcome.Changed);
        Assert.Same(current, outcome.Request);
        Assert.Equal(Requests.Earlier, outcome.Request.UpdateTime);
    }

    [Fact]
    public void Update_Tags_AreStoredDeduplicatedInOrder()
    {
        var outcome = Update(Anna, new RequestPatch { Tags = ["medical", "legal", "medical"] }).Apply(Requests.HeldBy(Anna), Requests.Now);

        Assert.Equal(["medical", "legal"], outcome.Request.Tags);
    }

    [Fact]
    public void Update_EmptyTags_ClearsThem() =>
        Assert.Empty(Update(Anna, new RequestPatch { Tags = [] }).Apply(Requests.HeldBy(Anna), Requests.Now).Request.Tags);
}
