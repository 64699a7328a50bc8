using Hotline.Console.Presentation;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Presentation;

public sealed class QueueRowsTests
{
    private const string Me = "operators/anna";
    private static readonly DateTimeOffset Today = Requests.T0.Date;

    private static readonly HelpRequest[] Queue =
    [
        Requests.Make(1, Urgency.Routine, Requests.Russian, language: "ru", channel: Channel.Sms),
        Requests.Make(2, Urgency.ImmediateDanger, Requests.Chechen, language: "ce", channel: Channel.Whatsapp),
        Requests.Make(3, Urgency.Urgent, state: RequestState.Assigned, assignee: Me),
        Requests.Make(4, Urgency.Urgent, state: RequestState.Waiting, assignee: "operators/timur"),
        Requests.Make(5, Urgency.ImmediateDanger, state: RequestState.Closed, assignee: Me),
        Requests.Make(6, Urgency.ImmediateDanger, language: "ru", created: Requests.T0.AddHours(-1)),
        Requests.Make(7, state: RequestState.Closed, created: Requests.T0.AddDays(-2)),
    ];

    [Theory]
    [InlineData(QueueScope.Open, new long[] { 6, 2, 3, 4, 1 })]
    [InlineData(QueueScope.Mine, new long[] { 3 })]
    [InlineData(QueueScope.Unassigned, new long[] { 6, 2, 1 })]
    [InlineData(QueueScope.ClosedToday, new long[] { 5 })]
    public void Scope_SelectsAndOrdersDangerFirstThenOldest(QueueScope scope, long[] expected) =>
        Assert.Equal(expected, Numbers(new QueueFilter(scope)));

    [Theory]
    [InlineData(Urgency.ImmediateDanger, null, null, "", new long[] { 6, 2 })]
    [InlineData(null, Channel.Whatsapp, null, "", new long[] { 2 })]
    [InlineData(null, null, "ru", "", new long[] { 6, 1 })]
    [InlineData(null, null, null, "МУЖА", new long[] { 1 })]
    [InlineData(null, null, null, "лаьцна", new long[] { 2 })]
    [InlineData(null, null, null, "#4", new long[] { 4 })]
    [InlineData(null, null, null, "timur", new long[] { 4 })]
    [InlineData(null, null, null, "грозный", new long[] { 6, 2, 3, 4, 1 })]
    [InlineData(Urgency.Urgent, null, null, "nothing like this", new long[0])]
    public void Criteria_NarrowTheOpenQueue(Urgency? urgency, Channel? channel, string? language, string search, long[] expected) =>
        Assert.Equal(expected, Numbers(new QueueFilter(QueueScope.Open, urgency, channel, language, search)));

    [Fact]
    public void Search_LooksIntoNotesAndTags()
    {
        var request = Requests.Make(9);
        request.Tags.Add("detention");
        request.Notes.Add(new Note { Author = "operators/timur", Text = "Перезвонить после 22:00" });

        Assert.True(new QueueFilter(Search: "перезвонить").Matches(request, Me, Today));
        Assert.True(new QueueFilter(Search: "DETENTION").Matches(request, Me, Today));
    }

    [Theory]
    [InlineData(QueueColumn.Number, "2")]
    [InlineData(QueueColumn.Age, "28m")]
    [InlineData(QueueColumn.Urgency, "DANGER")]
    [InlineData(QueueColumn.Channel, "wa")]
    [InlineData(QueueColumn.State, "new")]
    [InlineData(QueueColumn.Assignee, "")]
    [InlineData(QueueColumn.Language, "ce")]
    [InlineData(QueueColumn.FirstLine, "ГӀо де, дехар до! Сан ваша тахана лаьцна.")]
    public void Cell_FormatsEachColumn(QueueColumn column, string expected) =>
        Assert.Equal(expected, QueueRows.Cell(Queue[1], column, Requests.T0.AddMinutes(30)));

    [Fact]
    public void Headers_MatchTheColumns() =>
        Assert.Equal(Enum.GetValues<QueueColumn>().Length, QueueRows.Headers.Count);

    private static long[] Numbers(QueueFilter filter) =>
        [.. QueueRows.Select(Queue, filter, Me, Today).Select(r => r.Number)];
}
