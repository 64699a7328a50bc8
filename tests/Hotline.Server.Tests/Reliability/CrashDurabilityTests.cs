using System.Collections.Concurrent;
using Grpc.Core;
using Hotline.Contract.V1;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// A request acknowledged to a client is a promise to a person. These tests break the real server
/// process the hard way and check every acknowledged request and note survived.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class CrashDurabilityTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Six in CI; a soak sets HOTLINE_CRASH_CYCLES (README, "Reliability soaks").</summary>
    private static readonly int KillCycles =
        int.TryParse(Environment.GetEnvironmentVariable("HOTLINE_CRASH_CYCLES"), System.Globalization.CultureInfo.InvariantCulture, out var cycles) && cycles > 0 ? cycles : 6;
    private const int Writers = 8;

    private static readonly string DefaultCheckpointLogBytes =
        new Hotline.Storage.RequestStoreOptions().CheckpointLogBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-crash-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task KillNineMidStream_RepeatedCycles_LosesNoAcknowledgedRequestOrNote()
    {
        var acknowledgedRequests = new ConcurrentDictionary<string, string>();
        var acknowledgedNotes = new ConcurrentDictionary<string, (string Request, string Text)>();
        var random = new Random(20261129);
        var totalChecked = 0;

        for (var cycle = 0; cycle < KillCycles; cycle++)
        {
            // Every other cycle folds LiteDB's log into the data file after every 64 KiB of it, so
            // kills also land during and right after checkpoints, not only while the log grows;
            // the others run with the default.
            await using var server = await ServerProcess.StartAsync(_dataDirectory,
                "--Hotline:CheckpointLogBytes", cycle % 2 == 0 ? "65536" : DefaultCheckpointLogBytes);
            totalChecked += await VerifyAsync(server, acknowledgedRequests, acknowledgedNotes);

            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
                WriteUntilFailureAsync(server, cycle, w, acknowledgedRequests, acknowledgedNotes, stop.Token))).ToList();
            // Kill mid-stream, but only once this cycle has acknowledged work of both kinds: on a
            // starved machine a fixed delay could kill before anything was promised.
            var requestsBefore = acknowledgedRequests.Count;
            var notesBefore = acknowledgedNotes.Count;
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while ((acknowledgedRequests.Count < requestsBefore + Writers || acknowledgedNotes.Count <= notesBefore)
                   && DateTime.UtcNow < deadline && writers.Any(w => !w.IsCompleted))
            {
                await Task.Delay(20);
            }
            await Task.Delay(random.Next(300));
            await server.KillHardAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));
        }

        await using (var final = await ServerProcess.StartAsync(_dataDirectory))
        {
            totalChecked += await VerifyAsync(final, acknowledgedRequests, acknowledgedNotes);
        }
        output.WriteLine($"kill -9: {KillCycles} cycles with {Writers} concurrent writers; acknowledged {acknowledgedRequests.Count} requests and {acknowledgedNotes.Count} notes; lost 0 (checked {totalChecked} times across restarts)");
        Assert.True(acknowledgedRequests.Count > KillCycles * Writers, "each cycle acknowledged writes before the kill");
        Assert.NotEmpty(acknowledgedNotes);
    }

    private static async Task WriteUntilFailureAsync(ServerProcess server, int cycle, int writer,
        ConcurrentDictionary<string, string> requests, ConcurrentDictionary<string, (string Request, string Text)> notes,
        CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            try
            {
                var message = $"crash test {cycle}.{writer}.{i}";
                var receipt = await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
                {
                    RequestId = $"c{cycle}-w{writer}-{i}",
                    Channel = Channel.Sms,
                    Message = message,
                }, ServerProcess.As(ServerProcess.Intake));
                requests[receipt.Name] = message;

                if (i % 2 == 1)
                {
                    var noteId = $"n{cycle}-w{writer}-{i}";
                    var text = $"note {cycle}.{writer}.{i}";
                    await server.Requests.AddNoteAsync(new AddNoteRequest { Name = receipt.Name, Text = text, RequestId = noteId },
                        ServerProcess.As(ServerProcess.Operator));
                    notes[noteId] = (receipt.Name, text);
                }
            }
            catch (RpcException)
            {
                return;
            }
        }
    }

    private static async Task<int> VerifyAsync(ServerProcess server,
        ConcurrentDictionary<string, string> requests, ConcurrentDictionary<string, (string Request, string Text)> notes)
    {
        var stored = new Dictionary<string, HelpRequest>();
        var token = "";
        do
        {
            var page = await server.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 1_000, PageToken = token },
                ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout();
            foreach (var r in page.Requests)
            {
                stored[r.Name] = r;
            }
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        var lostRequests = requests.Where(r => !stored.TryGetValue(r.Key, out var s) || s.Message != r.Value).Select(r => r.Key).ToList();
        var lostNotes = notes.Where(n => !stored.TryGetValue(n.Value.Request, out var s) || s.Notes.All(x => x.Text != n.Value.Text)).ToList();
        Assert.True(lostRequests.Count == 0, $"{lostRequests.Count} acknowledged requests lost");
        Assert.True(lostNotes.Count == 0, $"{lostNotes.Count} acknowledged notes lost");
        var numbers = stored.Values.Select(r => r.Number).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        return requests.Count + notes.Count;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessTests
{
    public const string Name = "server processes";
}
