using Hotline.Console.Presentation;
using Hotline.Contract.V1;
using Terminal.Gui.App;

namespace Hotline.Console.Actions;

/// <summary>
/// What an action flow needs of the screen it runs from: the application to run its dialogs in,
/// the result line, and the few things a flow changes there. The console window implements it.
/// </summary>
internal interface IActionScreen
{
    /// <summary>Null until the screen runs: a flow then does nothing.</summary>
    IApplication? App { get; }

    /// <summary>True after the panic key: a flow whose dialog closed then does nothing more.</summary>
    bool Panicked { get; }

    QueueFilter Filter { get; }

    /// <summary>The outcome of the operator's own action, on the result line until the next one.</summary>
    void ShowResult(string text, bool ok);

    /// <summary>Redraws the detail pane (a draft note appeared or went).</summary>
    void ShowDetail();

    void SetFilter(QueueFilter filter);

    /// <summary>True when the queue can show <paramref name="request"/>: in this view, all open or closed today.</summary>
    bool CanShow(HelpRequest request);

    /// <summary>Selects <paramref name="request"/>, switching view if the current one hides it.</summary>
    void JumpTo(HelpRequest request);

    void RequestQuit();
}
