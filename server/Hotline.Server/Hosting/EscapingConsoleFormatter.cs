using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Hotline.Server.Hosting;

/// <summary>
/// One line per event, as the simple console formatter's single-line mode writes it
/// (<c>2026-01-02T03:04:05.678Z info: Category[7] message</c>), but with every control character in
/// the category, the message and the exception written as <c>\u001b</c>-style text. Log values can
/// come from callers (a request name, an operator id), and raw control characters from them could
/// forge log lines or drive the terminal of whoever reads the log (ESC ] 0 ; … BEL sets a window
/// title; other sequences do worse). The JSON format escapes them already.
/// </summary>
public sealed class EscapingConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "hotline";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }
        var line = new StringBuilder();
        line.Append(DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ ", CultureInfo.InvariantCulture));
        line.Append(Level(logEntry.LogLevel)).Append(": ");
        Escape(line, logEntry.Category);
        line.Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ");
        Escape(line, message ?? "");
        if (logEntry.Exception is { } exception)
        {
            line.Append(' ');
            Escape(line, exception.ToString());
        }
        textWriter.WriteLine(line.ToString());
    }

    /// <summary>Appends <paramref name="text"/> with each control character (line breaks included) as \uXXXX.</summary>
    internal static void Escape(StringBuilder into, string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                into.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                into.Append(c);
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
