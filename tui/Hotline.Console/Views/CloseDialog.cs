using Hotline.Console.Presentation;
using Hotline.Contract.V1;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>Closes a request: a resolution from the list and a comment (required for "other").</summary>
internal sealed class CloseDialog : Dialog
{
    public CloseDialog(long number, Palette palette)
    {
        Title = $"Close #{number}";
        Width = 60;
        // Height is the dialog's own Dim.Auto and each row sits below the one before, so the
        // comment stays above the buttons however many resolutions there are.
        var label = new Label { Text = "_Resolution:" };
        Resolution = Choice.List(Labels.Resolutions.Select(Labels.Resolution), 0, 0, Pos.Bottom(label), Dim.Fill());
        var commentLabel = new Label { Text = "Co_mment (required for \"other\"):", Y = Pos.Bottom(Resolution) + 1 };
        Comment = new TextField { Y = Pos.Bottom(commentLabel), Width = Dim.Fill() };
        Add(label, Resolution, commentLabel, Comment);
        AddButton(palette.Button("_Cancel"));
        AddButton(palette.Button("C_lose it"));
        palette.Dress(this);
    }

    public ListView Resolution { get; }

    public TextField Comment { get; }

    public bool Confirmed => !Canceled && Result == 1;

    public Resolution ChosenResolution => Labels.Resolutions[Resolution.SelectedItem ?? 0];
}
