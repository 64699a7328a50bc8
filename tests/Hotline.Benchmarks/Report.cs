using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Hotline.Benchmarks;

/// <summary>Plain-text output: figures and their ratios only, never request content.</summary>
internal static class Report
{
    private const int LabelWidth = 46;
    private const int ValueWidth = 24;

    public static void Header(RunSize size)
    {
        var collector = GCSettings.IsServerGC ? "Server" : "Workstation";
        Console.WriteLine(Invariant($"Hotline benchmarks, {size.Name} run: {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {collector} GC, {Build}"));
        Console.WriteLine(Invariant($"Figures are medians of {size.Repetitions} repetitions after a warm-up; ratios are medians of per-repetition ratios against the peer named."));
    }

    public static void Section(string title, string peerNote)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine("  " + peerNote);
    }

    public static void Columns(string value, string ratio) =>
        Console.WriteLine("  " + "".PadRight(LabelWidth) + value.PadLeft(ValueWidth) + "   " + ratio);

    public static void Row(string label, string value, string ratio = "") =>
        Console.WriteLine("  " + label.PadRight(LabelWidth) + value.PadLeft(ValueWidth) + "   " + ratio);

    public static void Note(string text) => Console.WriteLine("  " + text);

    public static void Footer(TimeSpan elapsed) =>
        Console.WriteLine(Invariant($"\nTotal {elapsed.TotalSeconds:0} s"));

    public static string Rate(double perSecond) => Invariant($"{perSecond:N0}/s");

    public static string Ms(double milliseconds) => Invariant($"{milliseconds:0.00}");

    public static string LatencyPair(double p50, double p99) => Ms(p50) + " / " + Ms(p99) + " ms";

    public static string Ratio(double ratio) => Invariant($"{ratio:0.00}x");

    public static string Megabytes(double bytes) => Invariant($"{bytes / (1024 * 1024):0.0} MB");

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Build =>
#if DEBUG
        "Debug build (figures are not representative; use -c Release)";
#else
        "Release";
#endif
}
