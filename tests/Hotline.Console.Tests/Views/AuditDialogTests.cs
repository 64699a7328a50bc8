using System.Text.RegularExpressions;
using Hotline.Console.State;
using Hotline.Console.Views;
using Hotline.Contract.V1;
using Terminal.Gui.Input;

namespace Hotline.Console.Tests.Views;

/// <summary>A supervisor selects a request, presses t and reads who did what to it, and when.</summary>
[Collection(HeadlessCollection.Name)]
public sealed class AuditDialogTests
{
    private static HelpRequest[] Queue() => [Requests.Make(1), Requests.Make(3, Urgency.Urgent, Requests.Russian, language: "ru"), Requests.Make(5)];

    /// <summary>#3's life so far: submitted, read by Lena, claimed by Anna, seen in a list beside #1, a note.</summary>
    private static List<AuditEvent> Trail() =>
    [
        Requests.Audit(11, AuditAction.Submitted, "operators/intake-web", Requests.T0.AddMinutes(3), "requests/r3"),
        Requests.Audit(14, AuditAction.Read, "operators/lena", Requests.T0.AddMinutes(4).AddSeconds(7), "requests/r3"),
        Requests.Audit(15, AuditAction.Assigned, "operators/anna", Requests.T0.AddMinutes(5), "requests/r3"),
        Requests.Audit(18, AuditAction.Listed, "operators/timur", Requests.T0.AddMinutes(6), "requests/r1", "requests/r3", "requests/gone"),
        Requests.Audit(21, AuditAction.NoteAdded, "operators/anna", Requests.T0.AddMinutes(9).AddSeconds(30), "requests/r3"),
    ];

    /// <summary>The console signed in as <paramref name="me"/> (Lena, a supervisor, unless told), #3 selected, its trail on the fake server.</summary>
    private static ConsoleHarness Console(Operator? me = null)
    {
        var console = new ConsoleHarness(Queue());
        console.Feed(new IdentityKnown(me ?? Requests.Lena, console.Client.People));
        console.Client.Audit["requests/r3"] = Trail();
        console.Select(3);
        return console;
    }

    [Fact]
    public void Supervisor_SeesTheTrailOldestFirst()
    {
        using var console = Console();

        var dialog = console.WithDialog<AuditDialog>(new Key('t'), d => console.Press(Key.Esc));

        Assert.Equal(["audit requests/r3 size 100 token ''"], console.Client.Calls);
        var lines = dialog.Split('\n');
        Assert.Contains(lines, l => l.Contains("Audit trail of #3", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("5 events for #3, oldest first", StringComparison.Ordinal));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"Time\s+Who\s+Action\s+Detail"));
        string[] expected =
        [
            @"2025-03-01 12:03:00 intake-web\s+submitted\s+seq 11",
            @"2025-03-01 12:04:07 Lena S. \(lena\)\s+read\s+seq 14",
            @"2025-03-01 12:05:00 Anna K. \(anna\)\s+assigned\s+seq 15",
            @"2025-03-01 12:06:00 Timur B. \(timur\)\s+seen in a list\s+seq 18 · with #1 \+1",
            @"2025-03-01 12:09:30 Anna K. \(anna\)\s+note added\s+seq 21",
        ];
        var first = Array.FindIndex(lines, l => Regex.IsMatch(l, expected[0]));
        Assert.True(first > 0, dialog);
        for (var i = 1; i < expected.Length; i++)
        {
            Assert.True(Regex.IsMatch(lines[first + i], expected[i]), $"row {i}: {lines[first + i]}\n{dialog}");
        }
        Assert.Contains(lines, l => l.Contains("Esc close", StringComparison.Ordinal));
        // The trail is who, what and when: nothing the requester wrote is in the dialog.
        Assert.DoesNotContain("Мужа", ConsoleHarness.Inside(dialog), StringComparison.Ordinal);
    }

    [Fact]
    public void Admin_SeesTheTrailToo()
    {
        using var console = Console(Requests.Operator("dev", "Dev", OperatorRole.Admin));

        var dialog = console.WithDialog<AuditDialog>(new Key('t'), d => console.Press(Key.Esc));

        Assert.Contains("5 events for #3, oldest first", dialog, StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_IsToldItIsForSupervisorsWithoutACall()
    {
        using var console = Console(Requests.Anna);

        console.Press('t');

        Assert.Same(console.Window, console.App.TopRunnable);
        Assert.StartsWith("The audit trail is for supervisors and admins.", console.Lines[21], StringComparison.Ordinal);
        Assert.Empty(console.Client.Calls);
    }

    [Fact]
    public void ActionFromANewerServer_IsShownByItsNumber()
    {
        using var console = Console();
        console.Client.Audit["requests/r3"].Add(Requests.Audit(30, (AuditAction)97, "operators/lena", Requests.T0.AddMinutes(20), "requests/r3"));

        var dialog = console.WithDialog<AuditDialog>(new Key('t'), d => console.Press(Key.Esc));

        Assert.Matches(@"12:20:00 Lena S. \(lena\)\s+action 97\s+seq 30", dialog);
    }
}
