using Hotline.Console.Presentation;
using Terminal.Gui.Input;

namespace Hotline.Console.Views;

/// <summary>Terminal.Gui's keys as the <see cref="Keys"/> table names them.</summary>
internal static class KeyNames
{
    /// <summary>The name a key has in the <see cref="Keys"/> table ("a", "G", "Ctrl+D", "F1", "Enter", "Esc"), or null.</summary>
    public static string? Of(Key key)
    {
        if (key == Key.Enter)
        {
            return "Enter";
        }
        if (key == Key.Esc)
        {
            return "Esc";
        }
        if (key == Key.F1)
        {
            return "F1";
        }
        if (key == Key.F12)
        {
            return "F12";
        }
        if (key == Key.F5)
        {
            return "F5";
        }
        foreach (var letter in (ReadOnlySpan<char>)['C', 'D', 'Q', 'U'])
        {
            if (key == new Key(char.ToLowerInvariant(letter)).WithCtrl)
            {
                return "Ctrl+" + letter;
            }
        }
        if (key.IsCtrl || key.IsAlt || !key.TryGetPrintableRune(out var rune) || rune.Value > char.MaxValue)
        {
            return null;
        }
        return ((char)rune.Value).ToString();
    }
}
