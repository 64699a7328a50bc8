using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// A yes/no question whose safe answer, No, is the default: it is marked ► No ◄ and has the focus
/// when the dialog opens, so a stray Enter changes nothing. Yes takes Alt and its hotkey, or Tab then Enter.
/// </summary>
internal sealed class ConfirmDialog : Dialog
{
    private const int YesButton = 0;
    private readonly Button _no;

    public ConfirmDialog(string title, string question, string yes, Palette palette)
    {
        Title = title;
        Width = Dim.Auto(minimumContentDim: 40, maximumContentDim: 70);
        Add(new Label { Text = question });
        var yesButton = palette.Button(yes);
        // Terminal.Gui also binds the bare letter of a hotkey. The question is asked by a key (q to
        // quit), so a second press of it, or a key repeat, would answer yes: yes takes Alt+letter.
        var bare = yesButton.HotKey.NoAlt.NoShift;
        yesButton.HotKeyBindings.Remove(bare);
        yesButton.HotKeyBindings.Remove(bare.WithShift);
        AddButton(yesButton);
        // The last button added is the default.
        _no = palette.Button("_No");
        AddButton(_no);
        palette.Dress(this);
    }

    /// <remarks>Read from <see cref="Dialog.Result"/>: <see cref="Dialog.Canceled"/> counts every button but the last, yes included, as a cancel.</remarks>
    public bool Confirmed => Result == YesButton;

    /// <summary>Opening focuses the first button; the focus belongs on the default, which Enter presses.</summary>
    protected override void OnIsModalChanged(bool newIsModal)
    {
        base.OnIsModalChanged(newIsModal);
        if (newIsModal)
        {
            _no.SetFocus();
        }
    }
}
