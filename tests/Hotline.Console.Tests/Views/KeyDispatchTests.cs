using Hotline.Console.Presentation;
using Hotline.Console.Views;
using Terminal.Gui.Input;

namespace Hotline.Console.Tests.Views;

/// <summary>The window takes exactly the keys the table binds: a key not in the table passes through to the focused view.</summary>
[Collection(HeadlessCollection.Name)]
public sealed class KeyDispatchTests
{
    /// <summary>Table keys that open a modal dialog or end the console; the table test proves they dispatch.</summary>
    private static readonly string[] DialogOrEnd = ["?", "F1", "f", "q", "Ctrl+Q", "Ctrl+C", "F12"];

    private static IEnumerable<Key> Candidates()
    {
        for (var c = ' '; c <= '~'; c++)
        {
            yield return new Key(c);
        }
        // Ctrl+Z is Terminal.Gui's suspend: pressed unhandled it would stop the test process.
        for (var c = 'a'; c <= 'y'; c++)
        {
            yield return new Key(c).WithCtrl;
        }
        Key[] others = [Key.F1, Key.F2, Key.F3, Key.F4, Key.F5, Key.F7, Key.F8, Key.F9, Key.F11, Key.F12, Key.Enter, Key.Esc];
        foreach (var key in others)
        {
            yield return key;
        }
    }

    [Fact]
    public void EveryKeyTheWindowTakes_IsInTheTable_AndEveryTableKeyIsTaken()
    {
        // An empty queue: the request keys only say "Select a request first", no dialog opens.
        using var console = new ConsoleHarness([]);
        bool? taken = null;
        // Subscribed after the window's own hook, so it sees whether the window took the key.
        console.App.Keyboard.KeyDown += (_, key) => taken = key.Handled;
        var bound = Keys.Names.ToHashSet(StringComparer.Ordinal);
        var pressed = new HashSet<string>(StringComparer.Ordinal);

        // "/" moves the focus to the search field, which takes letters: press it last, then Esc.
        foreach (var key in Candidates().OrderBy(k => KeyNames.Of(k) is "/" or "Esc"))
        {
            var name = KeyNames.Of(key);
            if (name is not null && DialogOrEnd.Contains(name))
            {
                continue;
            }
            taken = null;
            console.Press(key);
            Assert.True(taken == (name is not null && bound.Contains(name)), $"{key} ({name ?? "no name"}): taken {taken}");
            if (name is not null && taken == true)
            {
                pressed.Add(name);
            }
        }

        Assert.Equal(bound.Except(DialogOrEnd).Order(StringComparer.Ordinal), pressed.Order(StringComparer.Ordinal));
        Assert.True(console.Window.IsRunning);
    }
}
