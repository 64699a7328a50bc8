using Hotline.Domain;

namespace Hotline.Domain.Tests;

public class RequestQueryTests
{
    private static readonly DateTimeOffset T0 = Requests.Created;

    /// <summary>One request in each state, numbered 1 to 4.</summary>
    private static readonly HelpRequest[] Queue =
    [
        Requests.New() with { Number = 1, State = RequestState.New, Urgency = Urgency.Routine, Channel = Channel.Sms, Language = "ru" },
        Requests.New() with { Number = 2, State = RequestState.Assigned, Assignee = "anna", Urgency = Urgency.Urgent, Channel = Channel.WhatsApp, Language = "en-GB" },
        Requests.New() with { Number = 3, State = RequestState.Waiting, Assignee = "boris", Urgency = Urgency.ImmediateDanger, Channel = Channel.Phone, Language = "" },
        Requests.New() with { Number = 4, State = RequestState.Closed, Assignee = "anna", Urgency = Urgency.Routine, Channel = Channel.WebForm, Language = "ru" },
    ];

    private static RequestQuery Query(string filter = "", string orderBy = "") => new()
    {
        Terms = QuerySyntax.ParseFilter(filter, callerId: "anna"),
        Order = QuerySyntax.ParseOrder(orderBy),
    };

    [Theory]
    [InlineData("", "1,2,3,4")]
    [InlineData("state = NEW", "1")]
    [InlineData("state != CLOSED AND assignee = me", "2")]
    [InlineData("assignee = \"\"", "1")]
    [InlineData("assignee != \"\"", "2,3,4")]
    [InlineData("assignee = operators/anna", "2,4")]
    [InlineData("state = (NEW OR ASSIGNED)", "1,2")]
    [InlineData("state != (NEW OR ASSIGNED)", "3,4")]
    [InlineData("urgency = IMMEDIATE_DANGER", "3")]
    [InlineData("urgency = ROUTINE AND state != CLOSED", "1")]
    [InlineData("channel = WHATSAPP", "2")]
    [InlineData("channel = (SMS OR PHONE)", "1,3")]
    [InlineData("language = EN-gb", "2")]
    [InlineData("language = ru", "1,4")]
    [InlineData("language = \"\"", "3")]
    [InlineData("state = REQUEST_STATE_UNSPECIFIED", "")]
    [InlineData("state = NEW AND state = CLOSED", "")]
    public void Matches_Filter_SelectsExpectedRequests(string filter, string numbers)
    {
        var query = Query(filter);

        Assert.Equal(numbers, string.Join(",", Queue.Where(query.Matches).Select(r => r.Number)));
    }

    [Fact]
    public void Matches_StoredLanguageInOtherCase_StillMatches() =>
        Assert.True(Query("language = en-gb").Matches(Requests.New() with { Language = "EN-GB" }));

    [Theory]
    [InlineData("", null)]
    [InlineData("urgency = URGENT AND assignee = me", null)]
    [InlineData("state = NEW", "New")]
    [InlineData("state != CLOSED", "New,Assigned,Waiting")]
    [InlineData("state = (NEW OR WAITING) AND state != WAITING", "New")]
    [InlineData("state = NEW AND state = CLOSED", "")]
    [InlineData("state = REQUEST_STATE_UNSPECIFIED", "")]
    [InlineData("state != REQUEST_STATE_UNSPECIFIED", "New,Assigned,Waiting,Closed")]
    public void PossibleStates_Filter_NarrowsToStatesThatCanMatch(string filter, string? states)
    {
        var possible = Query(filter).PossibleStates();

        Assert.Equal(states, possible is null ? null : string.Join(",", possible.Order()));
    }

    [Fact]
    public void PossibleStates_AgreesWithMatches()
    {
        foreach (var filter in new[] { "state = NEW", "state != (NEW OR CLOSED)", "state = ASSIGNED AND state != ASSIGNED" })
        {
            var query = Query(filter);
            var possible = query.PossibleStates()!;
            Assert.All(Queue, r => Assert.Equal(query.Matches(r), possible.Contains(r.State)));
        }
    }

    [Fact]
    public void Compare_DefaultOrder_MostUrgentFirstThenOldestThenNumber()
    {
        HelpRequest[] requests =
        [
            Requests.New() with { Number = 10, Urgency = Urgency.Routine, CreateTime = T0 },
            Requests.New() with { Number = 11, Urgency = Urgency.ImmediateDanger, CreateTime = T0.AddMinutes(30) },
            Requests.New() with { Number = 12, Urgency = Urgency.Urgent, CreateTime = T0.AddMinutes(5) },
            Requests.New() with { Number = 13, Urgency = Urgency.ImmediateDanger, CreateTime = T0.AddMinutes(10) },
            Requests.New() with { Number = 15, Urgency = Urgency.Urgent, CreateTime = T0.AddMinutes(1) },
            Requests.New() with { Number = 14, Urgency = Urgency.Urgent, CreateTime = T0.AddMinutes(1) },
        ];

        var sorted = requests.Order(Comparer<HelpRequest>.Create(new RequestQuery().Compare)).Select(r => r.Number);

        Assert.Equal([13L, 11L, 14L, 15L, 12L, 10L], sorted);
    }

    [Theory]
    [InlineData("number desc", "3,2,1")]
    [InlineData("update_time desc", "2,3,1")]
    [InlineData("update_time", "1,3,2")]
    [InlineData("create_time", "1,2,3")]
    [InlineData("urgency", "2,3,1")]
    public void Compare_GivenOrder_SortsAndBreaksTiesByNumber(string orderBy, string numbers)
    {
        // Request 1 and 2 share create_time; 2 and 3 share urgency.
        HelpRequest[] requests =
        [
            Requests.New() with { Number = 3, Urgency = Urgency.Routine, CreateTime = T0.AddMinutes(1), UpdateTime = T0.AddMinutes(5) },
            Requests.New() with { Number = 1, Urgency = Urgency.Urgent, CreateTime = T0, UpdateTime = T0.AddMinutes(3) },
            Requests.New() with { Number = 2, Urgency = Urgency.Routine, CreateTime = T0, UpdateTime = T0.AddMinutes(9) },
        ];

        var sorted = requests.Order(Comparer<HelpRequest>.Create(Query(orderBy: orderBy).Compare)).Select(r => r.Number);

        Assert.Equal(numbers, string.Join(",", sorted));
    }

    [Fact]
    public void Compare_SameRequest_IsZero()
    {
        var request = Requests.New();

        Assert.Equal(0, new RequestQuery().Compare(request, request with { }));
    }
}
