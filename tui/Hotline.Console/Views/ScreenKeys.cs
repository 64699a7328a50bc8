using Hotline.Console.Actions;
using Hotline.Console.Presentation;
using Terminal.Gui.App;
using Terminal.Gui.Input;

namespace Hotline.Console.Views;

/// <summary>
/// Where a key pressed anywhere in the console goes: F12 (panic) wherever the focus is, even inside
/// a dialog; a quit key to the open quit question as its answer; else, while the main screen is on
/// top, to the <see cref="Keys"/> table, before any view sees it.
/// </summary>
internal static class ScreenKeys
{
    public static void Route(IApplication app, ConsoleWindow window, QuitFlow quit) =>
        app.Keyboard.KeyDown += (_, key) =>
        {
            if (key == Key.F12)
            {
                key.Handled = true;
                window.Panic();
            }
            else if (quit.AnswerByKey(app, key))
            {
                key.Handled = true;
            }
            else if (app.TopRunnable == window && Take(window, key))
            {
                // Taken before any view sees it: whichever pane has focus (even the read-only
                // detail, which would swallow letters), the action keys do the same thing. Esc is
                // Terminal.Gui's quit key; the table makes it only step back here, while dialogs,
                // which are not this screen, still cancel with it.
                key.Handled = true;
            }
        };

    /// <summary>
    /// True when the main screen takes <paramref name="key"/>. While the search field has focus it
    /// takes the keys it types, and only Enter and Esc stay the screen's; after the panic key every key is swallowed.
    /// </summary>
    private static bool Take(ConsoleWindow window, Key key)
    {
        if (window.Panicked)
        {
            return true;
        }
        if (KeyNames.Of(key) is not { } name || (window.Searching && name is not ("Enter" or "Esc")))
        {
            return false;
        }
        return Keys.Dispatch(window, name);
    }
}
