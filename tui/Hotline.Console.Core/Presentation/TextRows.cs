namespace Hotline.Console.Presentation;

/// <summary>Fitting a message into the one or two rows a screen line has for it.</summary>
public static class TextRows
{
    /// <summary>Breaks <paramref name="text"/> at a space into at most two rows of <paramref name="width"/>, cutting the second with "…".</summary>
    public static string Wrap(string text, int width)
    {
        if (text.Length <= width)
        {
            return text;
        }
        var cut = text.LastIndexOf(' ', width);
        cut = cut > 0 ? cut : width;
        var rest = text[cut..].TrimStart();
        return text[..cut] + "\n" + (rest.Length <= width ? rest : rest[..(width - 1)] + "…");
    }
}
