using Hotline.Console.Presentation;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>F: when to come back to a held request, and why. The time is read in the operator's zone; what it cannot read is reported on the result line.</summary>
internal sealed class FollowUpDialog : Dialog
{
    private readonly Func<DateTimeOffset> _now;
    private readonly TimeZoneInfo _zone;

    public FollowUpDialog(long number, Palette palette, Func<DateTimeOffset> now, TimeZoneInfo zone)
    {
        _now = now;
        _zone = zone;
        Title = $"Follow up #{number} later";
        Width = 64;
        var whenLabel = new Label { Text = "_When:" };
        When = new TextField { X = 8, Width = Dim.Fill() };
        var examples = new Label { X = 8, Y = Pos.Bottom(whenLabel), Text = FollowUpTime.Examples };
        var reasonLabel = new Label { Y = Pos.Bottom(examples) + 1, Text = "_Why:" };
        Reason = new TextField { X = 8, Y = Pos.Top(reasonLabel), Width = Dim.Fill() };
        Add(whenLabel, When, examples, reasonLabel, Reason);
        AddButton(palette.Button("_Cancel"));
        AddButton(palette.Button("_Set"));
        palette.Dress(this);
    }

    public TextField When { get; }

    public TextField Reason { get; }

    /// <summary>The moment read from <see cref="When"/> when the operator chose Set and both fields are usable.</summary>
    public DateTimeOffset? DueTime { get; private set; }

    public string ChosenReason => Reason.Text.Trim();

    public bool Chosen => !Canceled && Result == 1;

    /// <summary>Reads the fields once Set was chosen; false with what is wrong.</summary>
    public bool TryAccept(out string problem)
    {
        DueTime = FollowUpTime.Parse(When.Text, _now(), _zone, out problem);
        if (DueTime is not null && ChosenReason.Length == 0)
        {
            problem = "Say why in a few words, for whoever picks it up.";
            DueTime = null;
        }
        return DueTime is not null;
    }
}
