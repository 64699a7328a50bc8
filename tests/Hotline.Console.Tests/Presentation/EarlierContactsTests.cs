using Hotline.Console.Presentation;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Presentation;

public sealed class EarlierContactsTests
{
    [Theory]
    [InlineData(0, "", "", "")]
    [InlineData(1, "1 earlier contact", "1 earlier contact — press e to open", "↻1 ")]
    [InlineData(3, "3 earlier contacts", "3 earlier contacts — press e to open", "↻3 ")]
    [InlineData(99, "99 earlier contacts", "99 earlier contacts — press e to open", "↻99 ")]
    [InlineData(100, "100+ earlier contacts", "100+ earlier contacts — press e to open", "↻100+ ")]
    public void Count_IsWordedForTheDetailPaneAndMarkedInTheQueue(int count, string words, string detailLine, string marker)
    {
        Assert.Equal(words, EarlierContacts.Count(count));
        Assert.Equal(detailLine, EarlierContacts.DetailLine(count));
        Assert.Equal(marker, EarlierContacts.Marker(count));
    }

    [Fact]
    public void Detail_NamesTheCountAndTheKeyUnderTheContact()
    {
        var request = Requests.Make(12, message: Requests.Russian);
        request.EarlierContactCount = 3;

        var lines = DetailText.Build(request, Labels.OperatorId, Requests.T0.AddMinutes(30), TimeZoneInfo.Utc).Split('\n');

        Assert.Equal("Contact: @person12", lines[2]);
        Assert.Equal("3 earlier contacts — press e to open", lines[3]);
        Assert.Equal("", lines[4]);
    }

    [Fact]
    public void DetailWhereTheKeyDoesNothing_GivesOnlyTheCount()
    {
        var request = Requests.Make(12);
        request.EarlierContactCount = 1;

        var text = DetailText.Build(request, Labels.OperatorId, Requests.T0, TimeZoneInfo.Utc, earlierContactsKey: false);

        Assert.Contains("\n1 earlier contact\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("press e", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FirstRequest_HasNoLineAndNoMarker()
    {
        var request = Requests.Make(1, message: Requests.Russian);

        Assert.DoesNotContain("earlier", DetailText.Build(request, Labels.OperatorId, Requests.T0, TimeZoneInfo.Utc), StringComparison.Ordinal);
        Assert.Equal("Мужа задержали на блокпосту, телефон выключен.", QueueRows.Cell(request, QueueColumn.FirstLine, Requests.T0));
    }

    [Fact]
    public void QueueMessageCell_StartsWithTheMarker()
    {
        var request = Requests.Make(4, message: Requests.Chechen);
        request.EarlierContactCount = 100;

        Assert.Equal("↻100+ ГӀо де, дехар до! Сан ваша тахана лаьцна.", QueueRows.Cell(request, QueueColumn.FirstLine, Requests.T0));
    }
}
