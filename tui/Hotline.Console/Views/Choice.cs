using System.Collections.ObjectModel;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>A labelled single-choice list, the building block of the action dialogs.</summary>
internal static class Choice
{
    /// <summary>
    /// A list as tall as its items unless <paramref name="height"/> caps it, so a dialog that sizes
    /// itself to its content shows every entry.
    /// </summary>
    public static ListView List(IEnumerable<string> items, int selected, Pos x, Pos y, Dim width, Dim? height = null)
    {
        var source = new ObservableCollection<string>(items);
        var list = new ListView { X = x, Y = y, Width = width, Height = height ?? source.Count, CanFocus = true };
        list.SetSource(source);
        list.SelectedItem = selected;
        return list;
    }
}
