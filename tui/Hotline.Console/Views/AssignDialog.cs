using System.Globalization;
using Hotline.Console.Presentation;
using Hotline.Contract.V1;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>
/// Picks the operator to give a request to, from the server's list: those connected now first,
/// marked in words ("● connected"), not by colour alone, so it reads the same without colour.
/// </summary>
internal sealed class AssignDialog : Dialog
{
    internal const string ConnectedMark = "● connected";

    private const int NameWidth = 32;

    private static readonly StringComparer ByName = StringComparer.Create(CultureInfo.InvariantCulture, ignoreCase: true);

    private readonly IReadOnlyList<Operator> _people;

    public AssignDialog(long number, IReadOnlyList<Operator> people, string currentAssignee, Palette palette)
    {
        _people = [.. people.OrderByDescending(p => p.Connected).ThenBy(Name, ByName).ThenBy(p => p.Name, StringComparer.Ordinal)];
        Title = $"Assign #{number} to…";
        Width = 50;
        var current = Math.Max(0, _people.ToList().FindIndex(p => p.Name == currentAssignee));
        People = Choice.List(Rows(_people), current, 0, 0, Dim.Fill(), Math.Min(people.Count, 12));
        var noteLabel = new Label { Y = Pos.Bottom(People) + 1, Text = "_Note for them (optional, shown first):" };
        HandOverNote = new TextField { Y = Pos.Bottom(noteLabel), Width = Dim.Fill() };
        Add(People, noteLabel, HandOverNote);
        AddButton(palette.Button("_Cancel"));
        AddButton(palette.Button("_Assign"));
        // Sized to the list and the buttons, with no shadow in monochrome.
        palette.Dress(this);
    }

    public ListView People { get; }

    /// <summary>A hand-over note: the receiver's console shows it above everything else in the request.</summary>
    public TextField HandOverNote { get; }

    /// <summary>The chosen operator, or null when cancelled.</summary>
    public Operator? Chosen => !Canceled && Result == 1 && People.SelectedItem is int i && i < _people.Count ? _people[i] : null;

    /// <summary>One row per person, in the given order: the name as everywhere else, then the mark when connected.</summary>
    internal static IEnumerable<string> Rows(IEnumerable<Operator> people) =>
        people.Select(p =>
        {
            var name = Name(p);
            name = TextRows.Cut(name, NameWidth);
            return p.Connected ? name.PadRight(NameWidth + 1) + ConnectedMark : name;
        });

    /// <summary>"Anna K. (anna)", or the id alone when the display name is empty or the id itself, as <see cref="Labels.Person"/> names people.</summary>
    private static string Name(Operator person) =>
        Labels.Person(person.Name, name => person.DisplayName.Trim() is { Length: > 0 } shown ? shown : Labels.OperatorId(name));
}
