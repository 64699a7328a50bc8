using Hotline.Console.Presentation;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Presentation;

public sealed class RelatedRowsTests
{
    private static readonly DateTimeOffset Now = Requests.T0.AddMinutes(30);

    [Theory]
    [InlineData(RelatedColumn.Number, "7")]
    [InlineData(RelatedColumn.Received, "2025-02-27")]
    [InlineData(RelatedColumn.Channel, "wa")]
    [InlineData(RelatedColumn.Urgency, "urgent")]
    [InlineData(RelatedColumn.State, "closed")]
    [InlineData(RelatedColumn.Assignee, "timur")]
    [InlineData(RelatedColumn.FirstLine, "Мужа задержали на блокпосту, телефон выключен.")]
    public void Cell_FormatsEachColumn(RelatedColumn column, string expected)
    {
        var request = Requests.Make(7, Urgency.Urgent, Requests.Russian, RequestState.Closed, "operators/timur", Channel.Whatsapp,
            created: Requests.T0.AddDays(-2));

        Assert.Equal(expected, RelatedRows.Cell(request, column, Now, TimeZoneInfo.Utc));
    }

    [Fact]
    public void ReceivedToday_IsTheTimeOfDay() =>
        Assert.Equal("12:05", RelatedRows.Received(Requests.T0.AddMinutes(5), Now, TimeZoneInfo.Utc));

    [Fact]
    public void Headers_MatchTheColumns()
    {
        Assert.Equal(Enum.GetValues<RelatedColumn>().Length, RelatedRows.Headers.Count);
        Assert.Equal(RelatedRows.Headers.Count, RelatedRows.MinWidths.Count);
    }

    [Theory]
    [InlineData(true, 0, 0, null, "loading…")]
    [InlineData(false, 0, 0, null, "No other request from #12's requester is on record.")]
    [InlineData(false, 1, 1, null, "1 other request from #12's requester, newest first")]
    [InlineData(false, 3, 3, null, "3 other requests from #12's requester, newest first")]
    [InlineData(false, 50, 130, null, "130 other requests from #12's requester, newest first · 50 shown")]
    [InlineData(true, 50, 130, null, "130 other requests from #12's requester, newest first · loading more…")]
    [InlineData(false, 50, 130, "Could not list the earlier contacts of #12: it no longer exists.",
        "Could not list the earlier contacts of #12: it no longer exists.")]
    public void Summary_SaysWhatIsShown(bool loading, int shown, int total, string? failure, string expected) =>
        Assert.Equal(expected, RelatedRows.Summary(12, loading, shown, total, failure));
}
