using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;
using Terminal.Gui.Input;
using Xunit.Abstractions;
using Duration = Google.Protobuf.WellKnownTypes.Duration;

namespace Hotline.Console.Tests.Views;

/// <summary>A supervisor presses S and reads the queue, today's figures and who holds what, live, at 80x24.</summary>
[Collection(HeadlessCollection.Name)]
public sealed class SupervisorScreenTests(ITestOutputHelper output)
{
    /// <summary>The figures as the server would send them, read at the harness's clock (T0 + 30 min).</summary>
    internal static GetQueueStatsResponse Figures()
    {
        var read = Requests.T0.AddMinutes(30);
        var figures = new GetQueueStatsResponse
        {
            ReadTime = Timestamp.FromDateTimeOffset(read),
            Today = new DayFigures
            {
                StartTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero)),
                TimeZone = "UTC",
                Received = 14,
                Claimed = 12,
                Closed = 9,
                MedianTimeToClaim = Duration.FromTimeSpan(new TimeSpan(0, 4, 10)),
                P90TimeToClaim = Duration.FromTimeSpan(new TimeSpan(0, 19, 30)),
            },
        };
        figures.Urgencies.Add(new UrgencyFigures
        {
            Urgency = Urgency.ImmediateDanger,
            Unclaimed = 2,
            Overdue = 1,
            Assigned = 1,
            Waiting = 0,
            OldestUnclaimedCreateTime = Timestamp.FromDateTimeOffset(read.AddMinutes(-18)),
        });
        figures.Urgencies.Add(new UrgencyFigures { Urgency = Urgency.Urgent, Unclaimed = 0, Assigned = 3, Waiting = 1 });
        figures.Urgencies.Add(new UrgencyFigures
        {
            Urgency = Urgency.Routine,
            Unclaimed = 5,
            Assigned = 2,
            Waiting = 4,
            OldestUnclaimedCreateTime = Timestamp.FromDateTimeOffset(read.AddHours(-2).AddMinutes(-10)),
        });
        figures.Operators.Add(new OperatorLoad
        {
            Operator = "operators/anna",
            DisplayName = "Anna K.",
            Held = 3,
            DueFollowUps = 1,
            Connected = true,
            OldestHeldCreateTime = Timestamp.FromDateTimeOffset(read.AddHours(-1).AddMinutes(-2)),
        });
        figures.Operators.Add(new OperatorLoad
        {
            Operator = "operators/timur",
            DisplayName = "Timur B.",
            Held = 9,
            DueFollowUps = 2,
            Connected = false,
            OldestHeldCreateTime = Timestamp.FromDateTimeOffset(read.AddHours(-3).AddMinutes(-40)),
        });
        figures.Operators.Add(new OperatorLoad { Operator = "operators/lena", DisplayName = "Lena S.", Held = 0, Connected = true });
        return figures;
    }

    private static ConsoleHarness Console(Operator me, ColorMode colors = ColorMode.Monochrome)
    {
        var console = new ConsoleHarness([Requests.Make(1), Requests.Make(2)], colors: colors);
        console.Feed(new IdentityKnown(me, console.Client.People));
        console.Client.QueueStats = Figures();
        return console;
    }

    [Fact]
    public void Supervisor_SeesTheQueueTodayAndLoads_At80x24_WithMarksNotColours()
    {
        using var console = Console(Requests.Lena);

        var screen = console.WithDialog<SupervisorDialog>(new Key('S'), _ => console.Press(Key.Esc));
        output.WriteLine(screen);

        Assert.Equal(["stats"], console.Client.Calls);
        var lines = screen.Split('\n');
        Assert.Equal(24, screen.TrimEnd('\n').Split('\n').Length);
        Assert.All(lines, l => Assert.True(l.Length <= 80, l));
        Assert.Contains(lines, l => l.Contains("Supervisor", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Live: figures read at 12:30:00", StringComparison.Ordinal));
        // One of the two unclaimed is overdue (!1): a mark, not a colour.
        Assert.Matches(@"! IMMEDIATE DANGER\s+2\s+!1\s+1\s+0\s+18m", screen);
        Assert.Matches(@"  urgent\s+0\s+3\s+1\s+-", screen);
        Assert.Matches(@"  routine\s+5\s+2\s+4\s+2h10", screen);
        Assert.Contains("received 14, claimed 12, closed 9", screen, StringComparison.Ordinal);
        Assert.Contains("median 4m 10s, 90th percentile 19m 30s", screen, StringComparison.Ordinal);
        // Heaviest load first; connected or not is a character, not a colour.
        var timur = Array.FindIndex(lines, l => l.Contains("○ Timur B. (timur)", StringComparison.Ordinal));
        var anna = Array.FindIndex(lines, l => l.Contains("● Anna K. (anna)", StringComparison.Ordinal));
        Assert.True(timur > 0 && anna > timur, screen);
        // Timur has no console open, so his two due follow-ups are flagged for the supervisor (F!2); Anna's one is just counted.
        Assert.Matches(@"○ Timur B\. \(timur\)\s+9\s+F!2\s+3h40", lines[timur]);
        Assert.Matches(@"● Anna K\. \(anna\)\s+3\s+1\s+1h02", lines[anna]);
        Assert.Matches(@"● Lena S\. \(lena\)\s+0", screen);
        Assert.Contains(lines, l => l.Contains(SupervisorLines.Hint, StringComparison.Ordinal));
        Assert.Same(console.Window, console.App.TopRunnable);
    }

    [Fact]
    public void Operator_IsToldItIsForSupervisors_WithoutACall()
    {
        using var console = Console(Requests.Anna);

        console.Press('S');

        Assert.Same(console.Window, console.App.TopRunnable);
        Assert.Contains(console.Lines, l => l.StartsWith("The supervisor screen is for supervisors and admins.", StringComparison.Ordinal));
        Assert.Empty(console.Client.Calls);
    }

    [Fact]
    public void Figures_AreReadAgainWhenTheQueueChanges_AndWhenDue_AndAgesTick()
    {
        using var console = Console(Requests.Lena);
        string? afterChange = null;
        string? afterTick = null;

        console.WithDialog<SupervisorDialog>(new Key('S'), dialog =>
        {
            var changed = Figures();
            changed.Urgencies[0].Unclaimed = 3;
            console.Client.QueueStats = changed;
            // Within a second of the last read a change waits; after it, the change reads again.
            console.Time.Advance(TimeSpan.FromSeconds(2));
            console.Feed(Requests.Change(101, ChangeKind.Created, Requests.Make(7, Urgency.ImmediateDanger, revision: 101)));
            afterChange = console.WaitForScreen(s => System.Text.RegularExpressions.Regex.IsMatch(s, @"! IMMEDIATE DANGER\s+3\s"));

            console.Time.Advance(TimeSpan.FromSeconds(5));
            dialog.Tick();
            afterTick = console.WaitForScreen(s => console.Client.Calls.Count == 3);
            console.Press(Key.Esc);
        });

        Assert.Equal(["stats", "stats", "stats"], console.Client.Calls);
        Assert.Matches(@"! IMMEDIATE DANGER\s+3\s", afterChange!);
        Assert.Matches(@"routine\s+5\s+2\s+4\s+2h10", afterTick!);
    }

    [Fact]
    public void Refusal_IsShownInPlaceOfTheReadTime()
    {
        using var console = Console(Requests.Lena);
        console.Client.RefuseNextStats = new RpcException(new Status(StatusCode.Unavailable, "link down"));

        var screen = console.WithDialog<SupervisorDialog>(new Key('S'), _ => console.Press(Key.Esc));

        Assert.Contains("The server did not answer; the figures below may be old.", ConsoleHarness.Inside(screen), StringComparison.Ordinal);
    }
}
