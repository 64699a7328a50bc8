using Hotline.Console.Presentation;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// The top line: what the queue shows (or the search field while searching) and, on the right,
/// the keys that change it.
/// </summary>
/// <remarks>UI thread only.</remarks>
internal sealed class ViewLine
{
    private const string SearchPrompt = "Search:";

    public ViewLine()
    {
        Label = new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1 };
        Search = new TextField { X = SearchPrompt.Length + 1, Y = 0, Width = 30, Visible = false };
    }

    public Label Label { get; }

    public TextField Search { get; }

    public bool Searching => Search.Visible;

    /// <summary>/: the search field in place of the view's name, taking the keys typed.</summary>
    public void StartSearch()
    {
        Search.Visible = true;
        Search.SetFocus();
    }

    /// <summary>Hides the search field and empties it; false when it was not shown.</summary>
    public bool EndSearch()
    {
        if (!Search.Visible)
        {
            return false;
        }
        Search.Visible = false;
        Search.Text = "";
        return true;
    }

    public void Update(QueueFilter filter, int width)
    {
        var hints = Keys.HintLine(HintPlace.View, width);
        var view = "View: " + FilterSummary.Describe(filter);
        if (Search.Visible)
        {
            view = SearchPrompt;
            Search.Width = Math.Max(10, width - view.Length - hints.Length - 3);
        }
        Label.Text = view.Length + hints.Length + 1 <= width
            ? view + new string(' ', width - view.Length - hints.Length) + hints
            : view;
    }

    /// <summary>The panic key: neither the view nor what was searched for stays on screen.</summary>
    public void Clear()
    {
        Label.Text = "";
        Search.Text = "";
    }
}
