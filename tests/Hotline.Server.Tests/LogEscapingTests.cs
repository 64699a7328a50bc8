using Hotline.Server.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Server.Tests;

/// <summary>
/// Values in log lines can come from callers; raw control characters from them could forge log
/// lines or drive the terminal of whoever reads the log (issue 11, item 5).
/// </summary>
public sealed class LogEscapingTests
{
    [Fact]
    public void ControlCharactersInAMessage_AreWrittenAsText_OnOneLine()
    {
        var formatter = new EscapingConsoleFormatter();
        using var written = new StringWriter();
        // ESC ] 0 ; title BEL sets a terminal's title; a line break would start a forged log line.
        var hostile = "requests/\u001b]0;owned\u0007\ninfo: Hotline.Server[1] forged";
        var entry = new LogEntry<string>(LogLevel.Warning, "Hotline.Server.Grpc", new EventId(5), hostile, exception: null, (state, _) => "Call refused: " + state);

        formatter.Write(entry, scopeProvider: null, written);

        var line = written.ToString();
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(line.TrimEnd('\n', '\r'), char.IsControl);
        Assert.Contains(@"warn: Hotline.Server.Grpc[5] Call refused: requests/\u001b]0;owned\u0007\u000ainfo: Hotline.Server[1] forged", line,
            StringComparison.Ordinal);
    }

    [Fact]
    public void AnExceptionsText_IsEscapedToo()
    {
        var formatter = new EscapingConsoleFormatter();
        using var written = new StringWriter();
        var entry = new LogEntry<string>(LogLevel.Error, "Hotline.Server", new EventId(6), "failed",
            new InvalidOperationException("bad\u001b[2Jvalue"), (state, _) => state);

        formatter.Write(entry, scopeProvider: null, written);

        var line = written.ToString().TrimEnd('\n', '\r');
        Assert.DoesNotContain(line, char.IsControl);
        Assert.Contains(@"bad\u001b[2Jvalue", line, StringComparison.Ordinal);
        Assert.StartsWith("20", line, StringComparison.Ordinal);
    }
}
