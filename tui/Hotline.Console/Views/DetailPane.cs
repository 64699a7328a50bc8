#pragma warning disable CS0618 // TextView is marked obsolete in Terminal.Gui 2.5.0 but is its only scrollable read-only text view.
using Hotline.Console.Presentation;
using Hotline.Console.State;
using Hotline.Contract.V1;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Hotline.Console.Views;

/// <summary>The detail pane under the queue: the whole of the selected request, and whether a draft note waits on it.</summary>
/// <remarks>UI thread only.</remarks>
internal sealed class DetailPane
{
    private readonly QueueModel _model;
    private readonly NoteDrafts _drafts;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;

    public DetailPane(QueueModel model, NoteDrafts drafts, Palette palette, TimeProvider time, TimeZoneInfo zone)
    {
        _model = model;
        _drafts = drafts;
        _time = time;
        _zone = zone;
        Frame = new FrameView { Title = "Request", X = 0, Width = Dim.Fill(), Height = Dim.Fill(2) };
        Text = new TextView { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(), ReadOnly = true, WordWrap = true };
        // Not the Default theme's read-only grey on grey: the pane must be readable.
        Text.SetScheme(palette.Screen);
        Frame.Add(Text);
    }

    public FrameView Frame { get; }

    public TextView Text { get; }

    /// <summary>Shows <paramref name="request"/>, or why there is none; the text is only replaced when it changed, so the scroll stays.</summary>
    public void Show(HelpRequest? request)
    {
        string text;
        if (request is null)
        {
            Frame.Title = "Request";
            text = _model.Loaded ? "Nothing in this view. Keys 1-4 switch views; f filters; / searches." : "Loading the queue…";
        }
        else
        {
            var draft = _drafts.Find(request.Name) is null ? "" : " · draft note (n)";
            Frame.Title = $"#{request.Number}{draft}";
            text = DetailText.Build(request, _model.DisplayName, _time.GetUtcNow(), _zone);
        }
        if (Text.Text != text)
        {
            Text.Text = text;
        }
    }

    /// <summary>The panic key: nothing of the request stays on screen.</summary>
    public void Clear()
    {
        Text.Text = "";
        Frame.Title = "";
    }
}
