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
        // Height is the dialog's own Dim.Auto and every row is placed below the one before, so the
        // tags field can never end up under the buttons.
        var urgencyLabel = new Label { Text = "_Urgency:" };
        var urgencies = Labels.Urgencies;
        Urgency = Choice.List(urgencies.Select(Labels.UrgencyLong), Math.Max(0, urgencies.ToList().IndexOf(request.Urgency)),
            0, Pos.Bottom(urgencyLabel), Dim.Fill());
        var tagsLabel = new Label { Text = "_Tags (space or comma separated):", Y = Pos.Bottom(Urgency) + 1 };
        Tags = new TextField { Y = Pos.Bottom(tagsLabel), Width = Dim.Fill(), Text = string.Join(" ", request.Tags) };
        Add(urgencyLabel, Urgency, tagsLabel, Tags);
        AddButton(palette.Button("_Cancel"));
        AddButton(palette.Button("_Save"));
        palette.Dress(this);
    }

    public ListView Urgency { get; }

    public TextField Tags { get; }

    public bool Saved => !Canceled && Result == 1;

    public Urgency ChosenUrgency => Labels.Urgencies[Urgency.SelectedItem ?? 0];

    public IReadOnlyList<string> ChosenTags =>
        Tags.Text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
