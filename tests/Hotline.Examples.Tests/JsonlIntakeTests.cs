using System.Text.Json;
using Hotline.Contract.V1;

namespace Hotline.Examples.Tests;

/// <summary>
/// examples/jsonl-intake (hotline-jsonl-intake) as a program against the real server: each line
/// submitted once across a crash and a lost progress file, bad lines reported by line number and
/// field and skipped, rate limits waited out as the server's RetryInfo says.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class JsonlIntakeTests
{
    /// <summary>Texts that must never appear in the tool's output: each stands for what a requester wrote.</summary>
    private static readonly string[] Messages =
    [
        "canary-message-one: нас ищут", "canary-message-two", "canary-message-three", "canary-message-four",
        "canary-message-five", "canary-message-six",
    ];

    private static string Tool
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var path = Path.Combine(ExamplePaths.Examples, "jsonl-intake", "bin", testBin.Parent!.Name, testBin.Name, "hotline-jsonl-intake.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"Build the solution first: {path} is missing.");
        }
    }

    private static string Line(int i) => i % 2 == 0
        ? JsonSerializer.Serialize(new { source_id = $"pbx-{i}", channel = "CHANNEL_PHONE", message = Messages[i], contact_handle = $"+7 900 000-00-0{i}" })
        : JsonSerializer.Serialize(new { channel = "CHANNEL_EMAIL", message = Messages[i], language = "ru", urgency = "URGENCY_URGENT" });

    private static string WriteInput(ExampleServer server, IEnumerable<string> lines)
    {
        var path = Path.Combine(server.Scratch, "export.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static ExampleProgram Run(ExampleServer server, string input) =>
        ExampleProgram.Start("dotnet", [Tool, input, "--address", server.Address.ToString(), "--token-file", server.TokenFile(ExampleServer.Intake)]);

    private static async Task<List<HelpRequest>> StoredAsync(ExampleServer server) =>
        [.. (await server.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 100 }, server.As(ExampleServer.Operator))).Requests];

    private static void AssertNoContent(ExampleProgram run)
    {
        foreach (var message in Messages)
        {
            Assert.DoesNotContain(message, run.Transcript, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("+7 900", run.Transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CrashedMidwayThenResumed_SubmitsEveryLineOnce()
    {
        // Three at once, then one every 2 s: line 4 waits, and the run is killed while it does.
        await using var server = await ExampleServer.StartAsync("--Hotline:Intake:PerCallerPerSecond", "0.5", "--Hotline:Intake:Burst", "3");
        var input = WriteInput(server, Enumerable.Range(0, 6).Select(Line));

        await using (var crashed = Run(server, input))
        {
            await crashed.WaitForErrorAsync("line 4: ResourceExhausted RATE_LIMITED; retrying in", TimeSpan.FromSeconds(60));
            await crashed.KillAsync();
            // The wait is the one the server's RetryInfo asked for, not the tool's own backoff.
            Assert.Contains("(as the server asked)", crashed.Error, StringComparison.Ordinal);
            AssertNoContent(crashed);
        }
        Assert.Equal(3, (await StoredAsync(server)).Count);

        await using var resumed = Run(server, input);
        var lines = await resumed.RemainingAsync();
        Assert.True(resumed.ExitCode == 0, resumed.Transcript);
        var summary = lines[^1];
        Assert.Equal(3, summary.GetProperty("skipped_as_done").GetInt64());
        Assert.Equal(6, summary.GetProperty("accepted").GetInt64());
        Assert.Equal(0, summary.GetProperty("duplicates").GetInt64());
        Assert.Contains("progress: line 6, 6 accepted, 0 duplicate, 0 rejected, 3 skipped as done before", resumed.Error, StringComparison.Ordinal);
        AssertNoContent(resumed);
        var stored = await StoredAsync(server);
        Assert.Equal(6, stored.Count);
        Assert.Equal(6, stored.Select(r => r.Number).Distinct().Count());
    }

    [Fact]
    public async Task Run_AgainWithTheProgressFileLost_AnswersEveryLineAsDuplicate()
    {
        await using var server = await ExampleServer.StartAsync();
        var input = WriteInput(server, Enumerable.Range(0, 6).Select(Line));
        await using (var first = Run(server, input))
        {
            await first.RemainingAsync();
            Assert.True(first.ExitCode == 0, first.Transcript);
        }
        var state = input + ".intake-state";
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state));
        var saved = await File.ReadAllTextAsync(state);
        Assert.DoesNotContain("canary", saved, StringComparison.Ordinal);
        File.Delete(state);

        await using var again = Run(server, input);
        var summary = (await again.RemainingAsync())[^1];

        Assert.True(again.ExitCode == 0, again.Transcript);
        Assert.Equal(0, summary.GetProperty("accepted").GetInt64());
        Assert.Equal(6, summary.GetProperty("duplicates").GetInt64());
        Assert.Equal(6, (await StoredAsync(server)).Count);
    }

    [Fact]
    public async Task Run_BadLines_AreReportedByLineAndFieldAndSkipped()
    {
        await using var server = await ExampleServer.StartAsync();
        var input = WriteInput(server,
        [
            Line(0),
            "{\"channel\": \"CHANNEL_SMS\", \"message\": \"canary-message-two\"",
            JsonSerializer.Serialize(new { channel = "CHANNEL_PIGEON", message = Messages[2] }),
            Line(3),
            JsonSerializer.Serialize(new { channel = "CHANNEL_SMS", message = "   ", language = "canary-message-five" }),
            "",
            Line(1),
        ]);

        await using var run = Run(server, input);
        var summary = (await run.RemainingAsync())[^1];

        Assert.True(run.ExitCode == 4, run.Transcript);
        Assert.Equal(3, summary.GetProperty("accepted").GetInt64());
        Assert.Equal(3, summary.GetProperty("rejected").GetInt64());
        var rejected = summary.GetProperty("rejected_lines").EnumerateArray()
            .Select(r => (r.GetProperty("line").GetInt64(), r.GetProperty("field").ValueKind == JsonValueKind.Null ? null : r.GetProperty("field").GetString()))
            .ToList();
        Assert.Equal([(2L, null), (3L, "channel"), (5L, "language,message")], rejected);
        Assert.Contains("line 2: rejected: not valid JSON", run.Error, StringComparison.Ordinal);
        Assert.Contains("line 3: rejected: channel: not a valid Channel name", run.Error, StringComparison.Ordinal);
        AssertNoContent(run);
        Assert.Equal(3, (await StoredAsync(server)).Count);
    }
}
