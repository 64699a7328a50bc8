using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>A yes/no question whose safe answer (No) is the default, so a stray Enter changes nothing.</summary>
internal sealed class ConfirmDialog : Dialog
{
    public ConfirmDialog(string title, string question, string yes, Palette palette)
    {
        Title = title;
        Width = Dim.Auto(minimumContentDim: 40, maximumContentDim: 70);
        Height = Dim.Auto();
        SetScheme(palette.Dialog);
        Add(new Label { Text = question, X = 0, Y = 0 });
        AddButton(new Button { Text = yes });
        AddButton(new Button { Text = "_No" });
    }

    public bool Confirmed => !Canceled && Result == 0;
}
