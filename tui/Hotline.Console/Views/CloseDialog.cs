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
        Height = 16;
        SetScheme(palette.Dialog);
        var label = new Label { Text = "Resolution:", X = 0, Y = 0 };
        Resolution = Choice.List(Labels.Resolutions.Select(Labels.Resolution), 0, 0, 1, Dim.Fill(), Labels.Resolutions.Count);
        var commentLabel = new Label { Text = "Co_mment:", X = 0, Y = 10 };
        Comment = new TextField { X = 0, Y = 11, Width = Dim.Fill() };
        Add(label, Resolution, commentLabel, Comment);
        AddButton(new Button { Text = "_Cancel" });
        AddButton(new Button { Text = "C_lose it" });
    }

    public ListView Resolution { get; }

    public TextField Comment { get; }

    public bool Confirmed => !Canceled && Result == 1;

    public Resolution ChosenResolution => Labels.Resolutions[Resolution.SelectedItem ?? 0];
}
