using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>Reopens a closed request, with an optional reason that the server stores as a note.</summary>
internal sealed class ReopenDialog : Dialog
{
    public ReopenDialog(long number, Palette palette)
    {
        Title = $"Reopen #{number}";
        Width = 60;
        // Height is the dialog's own Dim.Auto: a fixed one left no row for the field above the buttons.
        var label = new Label { Text = "_Why (optional):" };
        Comment = new TextField { Y = Pos.Bottom(label), Width = Dim.Fill() };
        Add(label, Comment);
        AddButton(palette.Button("_Cancel"));
        AddButton(palette.Button("_Reopen"));
        palette.Dress(this);
    }

    public TextField Comment { get; }

    public bool Confirmed => !Canceled && Result == 1;
}
