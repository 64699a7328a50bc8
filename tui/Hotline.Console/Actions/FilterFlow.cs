using Hotline.Console.Views;

namespace Hotline.Console.Actions;

/// <summary>f: choose urgency, channel and language; the view changes only when the dialog is applied.</summary>
internal sealed class FilterFlow(Palette palette, IActionScreen screen)
{
    public void Run()
    {
        if (screen.App is not { } app)
        {
            return;
        }
        using var dialog = new FilterDialog(screen.Filter, palette);
        app.Run(dialog);
        if (dialog.Apply(screen.Filter) is { } filter && !screen.Panicked)
        {
            screen.SetFilter(filter);
        }
    }
}
