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
        Height = 7;
        SetScheme(palette.Dialog);
        var label = new Label { Text = "_Why (optional):", X = 0, Y = 0 };
        Comment = new TextField { X = 0, Y = 1, Width = Dim.Fill() };
        Add(label, Comment);
        AddButton(new Button { Text = "_Cancel" });
        AddButton(new Button { Text = "_Reopen" });
    }

    public TextField Comment { get; }

    public bool Confirmed => !Canceled && Result == 1;
}
