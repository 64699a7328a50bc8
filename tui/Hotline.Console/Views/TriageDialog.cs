using Hotline.Console.Presentation;
using Hotline.Contract.V1;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>Changes a request's urgency and tags.</summary>
internal sealed class TriageDialog : Dialog
{
    public TriageDialog(HelpRequest request, Palette palette)
    {
        Title = $"Urgency and tags of #{request.Number}";
        Width = 60;
        Height = 11;
        SetScheme(palette.Dialog);
        var urgencies = Labels.Urgencies;
        Urgency = Choice.List(urgencies.Select(Labels.UrgencyLong), Math.Max(0, urgencies.ToList().IndexOf(request.Urgency)), 0, 0, Dim.Fill(), 3);
        var label = new Label { Text = "_Tags (space or comma separated):", X = 0, Y = 4 };
        Tags = new TextField { X = 0, Y = 5, Width = Dim.Fill(), Text = string.Join(" ", request.Tags) };
        Add(Urgency, label, Tags);
        AddButton(new Button { Text = "_Cancel" });
        AddButton(new Button { Text = "_Save" });
    }

    public ListView Urgency { get; }

    public TextField Tags { get; }

    public bool Saved => !Canceled && Result == 1;

    public Urgency ChosenUrgency => Labels.Urgencies[Urgency.SelectedItem ?? 0];

    public IReadOnlyList<string> ChosenTags =>
        Tags.Text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
