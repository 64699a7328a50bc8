using System.Text.Json;
using Hotline.Contract.V1;

namespace Hotline.Examples.Tests;

/// <summary>
/// The core integrator scenario, run by an example client in another language (one subclass per
/// language) against the real server: submit with a retried request_id, bad input, a rate-limited
/// submission retried after RetryInfo's delay, and the live feed followed while an operator (this
/// test, in C#) assigns, annotates and closes the request, dropped and resumed in between.
/// </summary>
public abstract class ClientExampleTests
{
    /// <summary>The interpreter, with any arguments that come before the example's own.</summary>
    private protected abstract (string Program, string[] Prefix) Runner { get; }

    /// <summary>Fails, saying what to install, when the language's gRPC tools are missing.</summary>
    private protected abstract Task RequireToolsAsync();

    private ExampleProgram Run(ExampleServer server, params string[] arguments) =>
        ExampleProgram.Start(Runner.Program, [.. Runner.Prefix, "--address", server.HostPort, "--plaintext", .. arguments],
            environment: new Dictionary<string, string> { ["HOTLINE_STUB_DIR"] = StubDirectory });

    /// <summary>Generated once per test run (the Python example regenerates only when a proto is newer).</summary>
    private static readonly string StubDirectory = Path.Combine(Path.GetTempPath(), $"hotline-example-stubs-{Environment.ProcessId}");

    private static string MessageFile(ExampleServer server, string text)
    {
        var path = Path.Combine(server.Scratch, $"message-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, text);
        return path;
    }

    private async Task<JsonElement> SubmitAsync(ExampleServer server, string requestId, string message, int expectedExit, params string[] more)
    {
        await using var run = Run(server, ["--token-file", server.TokenFile(ExampleServer.Intake), "submit", "--request-id", requestId,
            "--channel", "CHANNEL_SMS", "--message-file", MessageFile(server, message), .. more]);
        var lines = await run.RemainingAsync();
        Assert.True(run.ExitCode == expectedExit, $"exit {run.ExitCode}, expected {expectedExit}. {run.Transcript}");
        return lines[^1];
    }

    [Fact]
    public async Task Submit_RetriedRequestId_StoresOneRequest()
    {
        await RequireToolsAsync();
        await using var server = await ExampleServer.StartAsync();

        var first = await SubmitAsync(server, "sms-4711", "Нужна помощь, нас ищут", 0, "--language", "ru", "--urgency", "URGENCY_URGENT");
        var retry = await SubmitAsync(server, "sms-4711", "Нужна помощь, нас ищут", 0, "--language", "ru", "--urgency", "URGENCY_URGENT");

        Assert.True(first.GetProperty("ok").GetBoolean());
        Assert.False(first.GetProperty("duplicate").GetBoolean());
        Assert.True(retry.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.GetProperty("name").GetString(), retry.GetProperty("name").GetString());
        Assert.Equal(first.GetProperty("number").GetInt64(), retry.GetProperty("number").GetInt64());
        var stored = await server.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 100 }, server.As(ExampleServer.Operator));
        var only = Assert.Single(stored.Requests);
        Assert.Equal(first.GetProperty("name").GetString(), only.Name);
        Assert.Equal(Urgency.Urgent, only.Urgency);
    }

    [Fact]
    public async Task Submit_BadInput_GetsInvalidArgumentNamingEachFieldAndStoresNothing()
    {
        await RequireToolsAsync();
        await using var server = await ExampleServer.StartAsync();

        var refused = await SubmitAsync(server, "form-1", "   \n  ", 2, "--language", "not a language");

        Assert.False(refused.GetProperty("ok").GetBoolean());
        Assert.Equal("INVALID_ARGUMENT", refused.GetProperty("code").GetString());
        Assert.Equal("INVALID_FIELDS", refused.GetProperty("reason").GetString());
        var fields = refused.GetProperty("field_violations").EnumerateArray().Select(v => v.GetProperty("field").GetString()).Order().ToList();
        Assert.Equal(["language", "message"], fields);
        Assert.Equal(1, refused.GetProperty("attempts").GetInt32());
        var stored = await server.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 100 }, server.As(ExampleServer.Operator));
        Assert.Empty(stored.Requests);
    }

    [Fact]
    public async Task Submit_RateLimited_RetriesAfterTheServersRetryInfoWithTheSameRequestId()
    {
        await RequireToolsAsync();
        // One submission at once, then one every 10 s. The same account keeps using the allowance
        // up until the example says it was refused (however long the interpreter takes to start),
        // so the example is refused and told how long to wait, whatever the machine's load.
        await using var server = await ExampleServer.StartAsync("--Hotline:Intake:PerCallerPerSecond", "0.1", "--Hotline:Intake:Burst", "1");
        using var stopDraining = new CancellationTokenSource();
        // The burst is taken before the example starts, so it cannot win the race to the first
        // allowance on a machine where the interpreter starts faster than this channel connects.
        await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "drain-0", Channel = Channel.WebForm, Message = "drain" },
            server.As(ExampleServer.Intake));
        var drained = 1;
        var drain = Task.Run(async () =>
        {
            for (var i = 1; !stopDraining.IsCancellationRequested; i++)
            {
                try
                {
                    await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = $"drain-{i}", Channel = Channel.WebForm, Message = "drain" },
                        server.As(ExampleServer.Intake));
                    drained++;
                }
                catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.ResourceExhausted)
                {
                }
                await Task.Delay(100);
            }
        });
        await using var run = Run(server, "--token-file", server.TokenFile(ExampleServer.Intake), "submit", "--request-id", "web-2",
            "--message-file", MessageFile(server, "second"));
        var wait = await run.NextWhereAsync(l => l.TryGetProperty("retrying_in_seconds", out _), TimeSpan.FromSeconds(90));
        await stopDraining.CancelAsync();
        await drain.WaitAsync(TimeSpan.FromSeconds(30));
        var lines = await run.RemainingAsync();

        Assert.True(run.ExitCode == 0, run.Transcript);
        Assert.Equal("RESOURCE_EXHAUSTED", wait.GetProperty("code").GetString());
        Assert.Equal("RATE_LIMITED", wait.GetProperty("reason").GetString());
        // The delay is the server's RetryInfo (up to 10 s at 0.1 per second), not the client's own backoff.
        Assert.True(wait.GetProperty("server_said").GetBoolean(), run.Transcript);
        Assert.InRange(wait.GetProperty("retrying_in_seconds").GetDouble(), 0.001, 10.5);
        var receipt = lines[^1];
        Assert.True(receipt.GetProperty("ok").GetBoolean(), run.Transcript);
        Assert.False(receipt.GetProperty("duplicate").GetBoolean());
        var stored = await server.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 100 }, server.As(ExampleServer.Operator));
        Assert.Equal(drained + 1, stored.Requests.Count);
    }

    [Fact]
    public async Task Watch_OperatorAssignsNotesAndCloses_FeedSeesEveryChangeOnceAcrossADropAndResume()
    {
        await RequireToolsAsync();
        await using var server = await ExampleServer.StartAsync();
        var receipt = await SubmitAsync(server, "tg-1", "Помогите", 0);
        var name = receipt.GetProperty("name").GetString()!;
        var anna = server.Requests;

        // An intake token submits and reads nothing: the feed needs an operator's.
        await using (var intake = Run(server, "--token-file", server.TokenFile(ExampleServer.Intake), "watch"))
        {
            var refused = await intake.NextWhereAsync(l => l.GetProperty("event").GetString() == "failed");
            Assert.Equal("PERMISSION_DENIED", refused.GetProperty("code").GetString());
            Assert.Equal(2, await intake.WaitForExitAsync());
        }

        // Live: the snapshot holds the request; the operator claims it while the client watches.
        await using var first = Run(server, "--token-file", server.TokenFile(ExampleServer.Feed), "watch", "--stop-after-changes", "1");
        var snapshot = await first.NextWhereAsync(l => l.GetProperty("event").GetString() == "snapshot");
        Assert.Contains(name, snapshot.GetProperty("requests").EnumerateArray().Select(r => r.GetString()));
        var snapshotEnd = await first.NextWhereAsync(l => l.GetProperty("event").GetString() == "snapshot_end");
        await anna.AssignRequestAsync(new AssignRequestRequest { Name = name }, server.As(ExampleServer.Operator));
        var assigned = await first.NextWhereAsync(l => l.GetProperty("event").GetString() == "change");
        Assert.Equal("CHANGE_KIND_ASSIGNED", assigned.GetProperty("kind").GetString());
        Assert.Equal("operators/anna", assigned.GetProperty("assignee").GetString());
        Assert.True(assigned.GetProperty("revision").GetInt64() > snapshotEnd.GetProperty("revision").GetInt64());
        var stopped = await first.NextWhereAsync(l => l.GetProperty("event").GetString() == "stopped");
        Assert.Equal(0, await first.WaitForExitAsync());
        var lastApplied = stopped.GetProperty("last_applied").GetInt64();

        // Dropped: a note is added while nobody watches.
        await anna.AddNoteAsync(new AddNoteRequest { Name = name, Text = "called back", RequestId = "note-1" }, server.As(ExampleServer.Operator));

        // Resumed from the last applied revision: the missed note is replayed, then the close arrives live.
        await using var second = Run(server, "--token-file", server.TokenFile(ExampleServer.Feed), "watch",
            "--resume-after", lastApplied.ToString(System.Globalization.CultureInfo.InvariantCulture), "--stop-after-changes", "2");
        var noted = await second.NextWhereAsync(l => l.GetProperty("event").GetString() == "change");
        Assert.Equal("CHANGE_KIND_NOTE_ADDED", noted.GetProperty("kind").GetString());
        await second.NextWhereAsync(l => l.GetProperty("event").GetString() == "progress");
        await anna.CloseRequestAsync(new CloseRequestRequest { Name = name, Resolution = Resolution.Referred }, server.As(ExampleServer.Operator));
        var closed = await second.NextWhereAsync(l => l.GetProperty("event").GetString() == "change");
        Assert.Equal("CHANGE_KIND_CLOSED", closed.GetProperty("kind").GetString());
        Assert.Equal("REQUEST_STATE_CLOSED", closed.GetProperty("state").GetString());
        Assert.Equal(0, await second.WaitForExitAsync());

        // Exactly once: three changes, strictly increasing and without gaps, none repeated.
        long[] revisions = [assigned.GetProperty("revision").GetInt64(), noted.GetProperty("revision").GetInt64(), closed.GetProperty("revision").GetInt64()];
        Assert.Equal([revisions[0], revisions[0] + 1, revisions[0] + 2], revisions);
        Assert.DoesNotContain((await second.RemainingAsync()), l => l.GetProperty("event").GetString() == "change");
    }
}
