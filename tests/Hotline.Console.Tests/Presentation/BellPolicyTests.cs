using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Presentation;

/// <summary>Which live event of a batch reaches the alert line, and when the bell rings.</summary>
public sealed class BellPolicyTests
{
    private static QueueDelta Created(params HelpRequest[] created) =>
        new(created.Select(r => r.Name).ToHashSet(StringComparer.Ordinal), created, Reloaded: false, ConnectionChanged: false);

    [Fact]
    public void RoutineRequestsOnly_NoAlertNoBell()
    {
        Assert.Null(BellPolicy.For(Created(Requests.Make(1), Requests.Make(2)), takenFromMe: null, bellOn: true));
    }

    [Fact]
    public void NewUrgentAndDanger_NamesTheDangerAndRings()
    {
        var alert = BellPolicy.For(Created(Requests.Make(1, Urgency.Urgent), Requests.Make(2, Urgency.ImmediateDanger, channel: Channel.Whatsapp)),
            takenFromMe: null, bellOn: true);

        Assert.NotNull(alert);
        Assert.StartsWith("New IMMEDIATE DANGER request #2 (", alert.Text, StringComparison.Ordinal);
        Assert.EndsWith("! jumps to the newest danger.", alert.Text, StringComparison.Ordinal);
        Assert.True(alert.Danger);
        Assert.True(alert.Rings);
    }

    [Fact]
    public void NewUrgent_IsNotDanger()
    {
        var alert = BellPolicy.For(Created(Requests.Make(1, Urgency.Urgent)), takenFromMe: null, bellOn: true);

        Assert.NotNull(alert);
        Assert.False(alert.Danger);
    }

    [Fact]
    public void TakenFromMe_OutranksANewDangerRequest()
    {
        var alert = BellPolicy.For(Created(Requests.Make(2, Urgency.ImmediateDanger)), "#1 was taken over.", bellOn: true);

        Assert.Equal(new LiveAlert("#1 was taken over.", Danger: true, Rings: true), alert);
    }

    [Fact]
    public void BellOff_StillAlertsButDoesNotRing()
    {
        var alert = BellPolicy.For(Created(Requests.Make(2, Urgency.ImmediateDanger)), takenFromMe: null, bellOn: false);

        Assert.NotNull(alert);
        Assert.False(alert.Rings);
    }
}
