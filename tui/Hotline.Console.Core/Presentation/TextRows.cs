namespace Hotline.Console.Presentation;

/// <summary>Fitting text into the rows a screen has for it.</summary>
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
        return text[..cut] + "\n" + Cut(rest, width);
    }

    /// <summary><paramref name="text"/> in at most <paramref name="width"/> columns, ending with "…" when it was cut, so it never reads as complete.</summary>
    public static string Cut(string text, int width) =>
        text.Length <= width ? text : width <= 0 ? "" : text[..(width - 1)] + "…";

    /// <summary>Breaks <paramref name="text"/> at spaces into as many rows of <paramref name="width"/> as it takes; a longer word is cut.</summary>
    public static IReadOnlyList<string> WrapAll(string text, int width)
    {
        width = Math.Max(1, width);
        var rows = new List<string>();
        var row = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = word;
            while (rest.Length > 0)
            {
                var joined = row.Length == 0 ? rest : row + " " + rest;
                if (joined.Length <= width)
                {
                    row = joined;
                    rest = "";
                }
                else if (row.Length > 0)
                {
                    rows.Add(row);
                    row = "";
                }
                else
                {
                    rows.Add(rest[..width]);
                    rest = rest[width..];
                }
            }
        }
        if (row.Length > 0 || rows.Count == 0)
        {
            rows.Add(row);
        }
        return rows;
    }
}
