using System.Collections.ObjectModel;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>A labelled single-choice list, the building block of the action dialogs.</summary>
internal static class Choice
{
    public static ListView List(IEnumerable<string> items, int selected, int x, int y, Dim width, int height)
    {
        var list = new ListView { X = x, Y = y, Width = width, Height = height, CanFocus = true };
        list.SetSource(new ObservableCollection<string>(items));
        list.SelectedItem = selected;
        return list;
    }
}
