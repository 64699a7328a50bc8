using Hotline.Contract.V1;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>Picks the operator to give a request to, from the server's list.</summary>
internal sealed class AssignDialog : Dialog
{
    private readonly IReadOnlyList<Operator> _people;

    public AssignDialog(long number, IReadOnlyList<Operator> people, string currentAssignee, Palette palette)
    {
        _people = people;
        Title = $"Assign #{number} to…";
        Width = 50;
        Height = Math.Min(people.Count, 12) + 6;
        SetScheme(palette.Dialog);
        var current = Math.Max(0, people.ToList().FindIndex(p => p.Name == currentAssignee));
        People = Choice.List(people.Select(p => $"{p.DisplayName} ({Presentation.Labels.OperatorId(p.Name)})"), current, 0, 0, Dim.Fill(),
            Math.Min(people.Count, 12));
        Add(People);
        AddButton(new Button { Text = "_Cancel" });
        AddButton(new Button { Text = "_Assign" });
    }

    public ListView People { get; }

    /// <summary>The chosen operator, or null when cancelled.</summary>
    public Operator? Chosen => !Canceled && Result == 1 && People.SelectedItem is int i && i < _people.Count ? _people[i] : null;
}
