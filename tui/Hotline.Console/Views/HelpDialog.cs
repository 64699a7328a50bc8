using Hotline.Console.Presentation;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>Every key of the console, from the same list the hint lines use.</summary>
internal sealed class HelpDialog : Dialog
{
    public HelpDialog(Palette palette)
    {
        Title = "Keys";
        // Every key and the notes under them must fit at 80x24 without scrolling: the whole screen,
        // two columns of keys (Keys.HelpText).
        Width = Dim.Fill();
        Height = Dim.Fill();
        Add(new Label { Text = Keys.HelpText(), X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() });
        AddButton(palette.Button("_OK"));
        palette.Dress(this);
    }
}
