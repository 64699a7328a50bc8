using Hotline.Console.State;
using Hotline.Console.Views;
using Terminal.Gui.App;
using Terminal.Gui.Input;

namespace Hotline.Console.Actions;

/// <summary>
/// q: quit, asking first only when a note is being written. A second q (or Ctrl+Q, Ctrl+C) while
/// the question is open answers it with Quit, as in most terminal programs.
/// </summary>
internal sealed class QuitFlow(NoteDrafts drafts, QueueModel model, Palette palette, IActionScreen screen)
{
    private ConfirmDialog? _question;
    private bool _confirmedByKey;

    /// <summary>True when the console may end now: no draft, or the operator said so.</summary>
    public bool Confirm()
    {
        if (_question is not null)
        {
            return false;
        }
        if (drafts.Count == 0 || screen.App is not { } app)
        {
            return true;
        }
        using var confirm = new ConfirmDialog("Quit", Question(), "_Quit", palette);
        _question = confirm;
        _confirmedByKey = false;
        try
        {
            app.Run(confirm);
        }
        finally
        {
            _question = null;
        }
        return (confirm.Confirmed || _confirmedByKey) && !screen.Panicked;
    }

    /// <summary>Takes a quit key pressed while the question is the top dialog as its answer.</summary>
    public bool AnswerByKey(IApplication app, Key key)
    {
        if (_question is not { } question || app.TopRunnable != question || !IsQuitKey(key))
        {
            return false;
        }
        _confirmedByKey = true;
        app.RequestStop(question);
        return true;
    }

    private string Question()
    {
        var numbers = drafts.Names.Select(name => model.Find(name)?.Number).OfType<long>().Order().Select(n => $"#{n}");
        var which = string.Join(", ", numbers);
        return (which.Length == 0 ? "A note you were writing has not been saved." : $"Unsaved draft note on {which}.") +
            "\nQuit and lose it? (q again quits)";
    }

    private static bool IsQuitKey(Key key) => key == Key.Q.WithCtrl || key == Key.C.WithCtrl || key == new Key('q');
}
