using Hotline.Console.Presentation;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Presentation;

public sealed class QueueRowListTests
{
    private const string Me = "operators/anna";
    private static readonly DateTimeOffset Today = Requests.T0.Date;

    [Theory]
    [InlineData(QueueScope.Open)]
    [InlineData(QueueScope.Mine)]
    [InlineData(QueueScope.Unassigned)]
    [InlineData(QueueScope.ClosedToday)]
    public void ChangesPlacedOneByOne_LeaveTheRowsAsAFullSortWould(QueueScope scope)
    {
        var random = new Random(10);
        var requests = Enumerable.Range(1, 300).ToDictionary(i => $"requests/r{i}", i => Vary(Requests.Make(i), random, i));
        var filter = new QueueFilter(scope);
        var rows = new QueueRowList();
        rows.Reset(requests.Values, filter, Me, Today);

        for (var revision = 1_000; revision < 3_000; revision++)
        {
            var number = random.Next(1, 340);
            var name = $"requests/r{number}";
            HelpRequest? now = random.Next(20) == 0 ? null : Vary(requests.GetValueOrDefault(name) ?? Requests.Make(number), random, revision);
            if (now is null)
            {
                requests.Remove(name);
            }
            else
            {
                requests[name] = now;
            }
            rows.Update(name, now);
        }

        Assert.Equal(QueueRows.Select(requests.Values, filter, Me, Today).Select(r => r.Name), rows.Rows.Select(r => r.Name));
        Assert.All(rows.Rows.Select((r, i) => (r, i)), row => Assert.Equal(row.i, rows.IndexOf(row.r.Name)));
    }

    [Fact]
    public void ARequestLeavingTheView_IsNotFoundAnyMore()
    {
        var rows = new QueueRowList();
        rows.Reset([Requests.Make(1), Requests.Make(2)], QueueFilter.Default, Me, Today);

        Assert.True(rows.Update("requests/r1", Requests.Make(1, state: RequestState.Closed)));

        Assert.Equal(-1, rows.IndexOf("requests/r1"));
        Assert.Equal(0, rows.IndexOf("requests/r2"));
        Assert.False(rows.Update("requests/r9", null));
    }

    [Fact]
    public void IsFor_TellsWhenWhoOrTheDayMoved()
    {
        var rows = new QueueRowList();
        rows.Reset([], QueueFilter.Default, Me, Today);

        Assert.True(rows.IsFor(Me, Today));
        Assert.False(rows.IsFor("operators/timur", Today));
        Assert.False(rows.IsFor(Me, Today.AddDays(1)));
    }

    private static HelpRequest Vary(HelpRequest request, Random random, long revision) => request.With(revision, r =>
    {
        r.Urgency = (Urgency)random.Next(1, 4);
        r.State = (RequestState)random.Next(1, 5);
        r.Assignee = r.State is RequestState.Assigned or RequestState.Waiting ? random.Next(2) == 0 ? Me : "operators/timur" : "";
        r.CloseTime = r.State == RequestState.Closed
            ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Today.AddHours(random.Next(-30, 20)))
            : null;
    });
}
