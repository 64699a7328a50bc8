using Hotline.Console.Presentation;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>Narrows the queue by urgency, channel and language (the scope keys 1-4 and / do the rest).</summary>
internal sealed class FilterDialog : Dialog
{
    private const string Any = "any";

    public FilterDialog(QueueFilter current, Palette palette)
    {
        Title = "Filter";
        Width = 60;
        Height = 16;
        SetScheme(palette.Dialog);
        Add(new Label { Text = "Urgency:", X = 0, Y = 0 }, new Label { Text = "Channel:", X = 22, Y = 0 });
        Urgency = Choice.List(Labels.Urgencies.Select(Labels.UrgencyLong).Prepend(Any),
            current.Urgency is { } u ? Labels.Urgencies.ToList().IndexOf(u) + 1 : 0, 0, 1, 20, 4);
        Channel = Choice.List(Labels.Channels.Select(Labels.ChannelLong).Prepend(Any),
            current.Channel is { } c ? Labels.Channels.ToList().IndexOf(c) + 1 : 0, 22, 1, Dim.Fill(), 10);
        var languageLabel = new Label { Text = "_Language (ru, ce, en…; empty = any):", X = 0, Y = 11 };
        Language = new TextField { X = 0, Y = 12, Width = 20, Text = current.Language ?? "" };
        Add(Urgency, Channel, languageLabel, Language);
        AddButton(new Button { Text = "_Cancel" });
        AddButton(new Button { Text = "C_lear" });
        AddButton(new Button { Text = "_Apply" });
    }

    public ListView Urgency { get; }

    public ListView Channel { get; }

    public TextField Language { get; }

    /// <summary>The filter to use from now on, or null to keep the current one.</summary>
    public QueueFilter? Apply(QueueFilter current)
    {
        if (Canceled || Result is null or 0)
        {
            return null;
        }
        if (Result == 1)
        {
            return current with { Urgency = null, Channel = null, Language = null };
        }
        var urgency = Urgency.SelectedItem is int u && u > 0 ? Labels.Urgencies[u - 1] : (Contract.V1.Urgency?)null;
        var channel = Channel.SelectedItem is int c && c > 0 ? Labels.Channels[c - 1] : (Contract.V1.Channel?)null;
        var language = Language.Text.Trim();
        return current with { Urgency = urgency, Channel = channel, Language = language.Length > 0 ? language : null };
    }
}
