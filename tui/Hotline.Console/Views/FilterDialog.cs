using Hotline.Console.Presentation;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>Narrows the queue by urgency, channel and language (the scope keys 1-4 and / do the rest).</summary>
internal sealed class FilterDialog : Dialog
{
    private const string Any = "any";
    private const int ClearButton = 1;
    private const int ApplyButton = 2;

    public FilterDialog(QueueFilter current, Palette palette)
    {
        Title = "Filter";
        Width = 60;
        // Height is the dialog's own Dim.Auto; the language sits below the channel list, the longer
        // of the two, so neither its last entry nor the language hides under the buttons.
        var urgencyLabel = new Label { Text = "_Urgency:" };
        Urgency = Choice.List(Labels.Urgencies.Select(Labels.UrgencyLong).Prepend(Any),
            current.Urgency is { } u ? Labels.Urgencies.ToList().IndexOf(u) + 1 : 0, 0, Pos.Bottom(urgencyLabel), 20);
        var channelLabel = new Label { Text = "C_hannel:", X = 22 };
        Channel = Choice.List(Labels.Channels.Select(Labels.ChannelLong).Prepend(Any),
            current.Channel is { } c ? Labels.Channels.ToList().IndexOf(c) + 1 : 0, 22, Pos.Bottom(channelLabel), Dim.Fill());
        var languageLabel = new Label { Text = "_Language (ru, ce, en…; empty = any):", Y = Pos.Bottom(Channel) + 1 };
        Language = new TextField { Y = Pos.Bottom(languageLabel), Width = 20, Text = current.Language ?? "" };
        Add(urgencyLabel, Urgency, channelLabel, Channel, languageLabel, Language);
        AddButton(palette.Button("_Cancel"));
        AddButton(palette.Button("Clea_r"));
        AddButton(palette.Button("_Apply"));
        palette.Dress(this);
    }

    public ListView Urgency { get; }

    public ListView Channel { get; }

    public TextField Language { get; }

    /// <summary>The filter to use from now on, or null to keep the current one.</summary>
    /// <remarks>Read from <see cref="Dialog.Result"/>: <see cref="Dialog.Canceled"/> counts Clear as a cancel, being not the last button.</remarks>
    public QueueFilter? Apply(QueueFilter current)
    {
        switch (Result)
        {
            case ClearButton:
                return current with { Urgency = null, Channel = null, Language = null };
            case ApplyButton:
                var urgency = Urgency.SelectedItem is int u && u > 0 ? Labels.Urgencies[u - 1] : (Contract.V1.Urgency?)null;
                var channel = Channel.SelectedItem is int c && c > 0 ? Labels.Channels[c - 1] : (Contract.V1.Channel?)null;
                var language = Language.Text.Trim();
                return current with { Urgency = urgency, Channel = channel, Language = language.Length > 0 ? language : null };
            default:
                return null;
        }
    }
}
