#pragma warning disable CS0618 // TextView is marked obsolete in Terminal.Gui 2.5.0 but is its only multi-line editor.
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// The multi-line note editor. Enter adds a line; F2 (or the Save button) saves; Esc closes it
/// and keeps the text as a draft for the next time; Ctrl+Q asks to quit the console.
/// </summary>
internal sealed class NoteDialog : Dialog
{
    public NoteDialog(long number, string draft, Palette palette)
    {
        Title = $"Note on #{number}";
        Width = Dim.Percent(90);
        Height = Dim.Percent(70);
        var hint = new Label { Text = "F2 saves · Esc keeps it as a draft · Enter adds a line", X = 0, Y = 0 };
        Editor = new TextView
        {
            X = 0,
            Y = 1,
            Width = Dim.Fill(),
            Height = Dim.Fill(2),
            Text = draft,
            WordWrap = true,
            TabKeyAddsTab = false,
        };
        Editor.SetScheme(palette.Screen);
        Add(hint, Editor);
        AddButton(palette.Button("_Cancel"));
        AddButton(palette.Button("_Save"));
        palette.Dress(this);
        KeyDown += (_, key) =>
        {
            if (key == Key.F2)
            {
                Save();
                key.Handled = true;
            }
            else if (key == Key.Q.WithCtrl)
            {
                QuitRequested = true;
                App?.RequestStop(this);
                key.Handled = true;
            }
        };
    }

    public TextView Editor { get; }

    /// <summary>True when the dialog ended with Save (F2, or the default button).</summary>
    public bool Saved => SavedByKey || (!Canceled && Result == 1);

    /// <summary>The operator pressed Ctrl+Q in the editor: quit the console after keeping the draft.</summary>
    public bool QuitRequested { get; private set; }

    public string NoteText => Editor.Text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private bool SavedByKey { get; set; }

    private void Save()
    {
        SavedByKey = true;
        App?.RequestStop(this);
    }
}
