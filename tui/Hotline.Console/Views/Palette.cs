using Terminal.Gui.Configuration;
using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;
using Attribute = Terminal.Gui.Drawing.Attribute;

namespace Hotline.Console.Views;

/// <summary>
/// Every colour the console uses, per colour mode. Monochrome uses only the terminal's own
/// colours and text styles (reverse, bold, underline), so IMMEDIATE_DANGER still stands out
/// with NO_COLOR or on a terminal without colour.
/// </summary>
internal sealed class Palette
{
    public Palette(ColorMode mode)
    {
        Mode = mode;
        if (mode == ColorMode.Monochrome)
        {
            var plain = new Attribute(Color.None, Color.None);
            var reverse = new Attribute(Color.None, Color.None, TextStyle.Reverse);
            var bold = new Attribute(Color.None, Color.None, TextStyle.Bold);
            Screen = new Scheme(plain)
            {
                Normal = plain,
                Focus = reverse,
                HotNormal = new Attribute(Color.None, Color.None, TextStyle.Underline),
                HotFocus = new Attribute(Color.None, Color.None, TextStyle.Reverse | TextStyle.Underline),
                Editable = plain,
                ReadOnly = plain,
                Disabled = new Attribute(Color.None, Color.None, TextStyle.Faint),
                Active = reverse,
                HotActive = reverse,
                Highlight = bold,
            };
            Dialog = Screen;
            Danger = new Scheme(Screen)
            {
                Normal = new Attribute(Color.None, Color.None, TextStyle.Reverse | TextStyle.Bold),
                Focus = new Attribute(Color.None, Color.None, TextStyle.Bold | TextStyle.Underline),
            };
            Urgent = new Scheme(Screen) { Normal = bold };
            Refusal = new Scheme(Screen) { Normal = reverse };
            Success = new Scheme(Screen) { Normal = bold };
            Stale = new Scheme(Screen) { Normal = reverse };
            return;
        }
        var baseScheme = SchemeManager.GetScheme(Schemes.Base);
        // The default theme's ReadOnly role is grey on grey; the detail pane is read-only text that must be legible.
        Screen = new Scheme(baseScheme) { ReadOnly = baseScheme.Normal };
        Dialog = new Scheme(SchemeManager.GetScheme(Schemes.Dialog));
        Danger = new Scheme(Screen)
        {
            Normal = new Attribute(C(Color.White), C(Color.Red), TextStyle.Bold),
            Focus = new Attribute(C(Color.Red), C(Color.White), TextStyle.Bold),
        };
        Urgent = new Scheme(Screen) { Normal = new Attribute(C(Color.BrightYellow), baseScheme.Normal.Background) };
        Refusal = new Scheme(Screen) { Normal = new Attribute(C(Color.White), C(Color.Red)) };
        Success = new Scheme(Screen) { Normal = new Attribute(C(Color.BrightGreen), baseScheme.Normal.Background) };
        Stale = new Scheme(Screen) { Normal = new Attribute(C(Color.Black), C(Color.Yellow)) };
    }

    public ColorMode Mode { get; }

    private static Color C(ColorName16 name) => new(name);

    /// <summary>The main screen and the read-only detail pane.</summary>
    public Scheme Screen { get; }

    public Scheme Dialog { get; }

    /// <summary>
    /// Gives a dialog this palette's colours. Shadows are drawn in the theme's fixed colours
    /// whatever the scheme says, so in monochrome there are none: NO_COLOR means no colour on any
    /// cell, shadows included. Its buttons come from <see cref="Button"/> for the same reason.
    /// </summary>
    public void Dress(Dialog dialog)
    {
        dialog.SetScheme(Dialog);
        if (Mode == ColorMode.Monochrome)
        {
            LeaveOffShadow(dialog);
        }
    }

    /// <summary>
    /// A dialog button, without a shadow in monochrome. Made shadowless before it is added, because
    /// the dialog sizes its button row when the button is added.
    /// </summary>
    public Button Button(string text)
    {
        var button = new Button { Text = text };
        if (Mode == ColorMode.Monochrome)
        {
            LeaveOffShadow(button);
        }
        return button;
    }

    /// <summary>Null, not <see cref="ShadowStyles.None"/>: None keeps the shadow's margin, a blank row and column.</summary>
    private static void LeaveOffShadow(View view) => view.ShadowStyle = null;

    /// <summary>IMMEDIATE_DANGER rows.</summary>
    public Scheme Danger { get; }

    /// <summary>URGENT rows.</summary>
    public Scheme Urgent { get; }

    public Scheme Refusal { get; }

    public Scheme Success { get; }

    /// <summary>The mark shown while the link is down and the screen may be old.</summary>
    public Scheme Stale { get; }
}
