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
        var no = new Button { Text = "_No" };
        AddButton(no);
        // Focus starts on the safe answer, so Enter (which presses the focused button) changes nothing.
        IsRunningChanged += (_, e) =>
        {
            if (e.Value)
            {
                no.SetFocus();
            }
        };
    }

    // Not Dialog.Canceled: it counts every button but the last (the default, No) as a cancel, so
    // "!Canceled && Result == 0" could never be true and the yes button did nothing.
    public bool Confirmed => Result == 0;
}
