using System.Text.RegularExpressions;
using Hotline.Server.Tests.Architecture;
using Microsoft.Extensions.Logging;

namespace Hotline.Server.Tests;

/// <summary>
/// One policy for failures nobody expected (issue 12, item 8): the log gets the type and the stack
/// frames, never the exception's message, which may quote a request's content.
/// </summary>
public sealed partial class FailureLogTests
{
    private const string Canary = "CANARY-message-+380501234567";

    [Fact]
    public void UnexpectedFailure_LogsTypeAndStack_NeverTheMessage()
    {
        var lines = new LinesLogger<FailureLogTests>();

        ServerLog.UnexpectedFailure(lines, "Retention run", "it runs again at the next interval.", CaughtFailure());

        var line = Assert.Single(lines.Written);
        Assert.StartsWith("Retention run failed unexpectedly with System.InvalidOperationException; it runs again at the next interval.", line, StringComparison.Ordinal);
        Assert.Contains("System.FormatException", line, StringComparison.Ordinal);
        Assert.Contains(nameof(ParseContent), line, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", line, StringComparison.Ordinal);
    }

    [Fact]
    public void StrayExceptions_AreDescribedTheSameWay()
    {
        var lines = new LinesLogger<FailureLogTests>();

        ServerLog.UnobservedTaskException(lines, new AggregateException(CaughtFailure()));
        ServerLog.UnhandledException(lines, CaughtFailure());

        Assert.All(lines.Written, line =>
        {
            Assert.Contains("System.InvalidOperationException", line, StringComparison.Ordinal);
            Assert.Contains(nameof(ParseContent), line, StringComparison.Ordinal);
            Assert.DoesNotContain("CANARY", line, StringComparison.Ordinal);
        });
        Assert.Equal(2, lines.Written.Count);
    }

    /// <summary>
    /// Nothing in the server hands an exception's message or type to a log line by hand; the one
    /// exception is a start-up refusal, whose messages are the server's own sentences.
    /// </summary>
    [Fact]
    public void NoLogCall_RendersAnExceptionByHand()
    {
        var offenders = ServerSources.All
            .Where(f => f.Path != "FailureDescription.cs")
            .SelectMany(f => LogCall().Matches(f.Text).Select(m => (f.Path, Call: m.Value)))
            .Where(c => !c.Call.StartsWith("ServerLog.StartupRefused(", StringComparison.Ordinal))
            .Where(c => c.Call.Contains(".Message", StringComparison.Ordinal) || c.Call.Contains("GetType()", StringComparison.Ordinal))
            .Select(c => $"{c.Path}: {c.Call}")
            .ToList();

        Assert.Empty(offenders);
        Assert.Contains(ServerSources.All, f => LogCall().IsMatch(f.Text));
    }

    private static Exception CaughtFailure()
    {
        try
        {
            try
            {
                ParseContent();
            }
            catch (FormatException inner)
            {
                throw new InvalidOperationException("could not handle " + Canary, inner);
            }
        }
        catch (InvalidOperationException ex)
        {
            return ex;
        }
        throw new InvalidOperationException("unreachable");
    }

    private static void ParseContent() => throw new FormatException("bad input: " + Canary);

    [GeneratedRegex(@"(ServerLog|RefusalLog)\.\w+\([^;]*;")]
    private static partial Regex LogCall();
}
