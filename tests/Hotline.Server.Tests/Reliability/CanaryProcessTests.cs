using System.Globalization;
using System.Text;
using Hotline.Contract.V1;
using Hotline.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// The real server, with retention set to seconds: unique markers in every free-text field go
/// through notes, updates, closing, automatic retention and an admin's purge on the stopped server.
/// Afterwards no file in the data directory, and no line the server printed, holds any marker.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class CanaryProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-canary-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task MarkersThroughTheWholeLifecycle_AppearInNoFileAndNoLogLine()
    {
        var markers = new List<string>();
        string Marker(string field, int request, bool ascii = false)
        {
            var marker = string.Create(CultureInfo.InvariantCulture, $"CANARY{request}{field}{(ascii ? "" : "Зарема")}{Guid.NewGuid():N}")[..(ascii ? 40 : 36)];
            markers.Add(marker);
            return marker;
        }
        var environment = new Dictionary<string, string?>
        {
            // About 1.7 seconds: closed requests are purged by the retention job while the test waits.
            ["Hotline__RetentionDays"] = "0.00002",
            ["Hotline__RetentionCheckInterval"] = "00:00:00.300",
        };
        string kept;
        string serverOutput;
        await using (var server = await ServerProcess.StartAsync(_dataDirectory, environment))
        {
            var anna = ServerProcess.As(ServerProcess.Operator);
            var names = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var receipt = await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
                {
                    RequestId = Marker("intake", i, ascii: true),
                    Channel = Channel.Telegram,
                    ContactHandle = "@" + Marker("handle", i),
                    Message = Marker("message", i),
                    Region = Marker("region", i),
                    Tags = { Marker("tag", i) },
                }, ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
                names.Add(receipt.Name);
                await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = receipt.Name }, anna).ResponseAsync.DefaultTimeout();
                await server.Requests.AddNoteAsync(new AddNoteRequest { Name = receipt.Name, Text = Marker("note", i), RequestId = Marker("noteid", i, ascii: true) },
                    anna).ResponseAsync.DefaultTimeout();
                await server.Requests.UpdateRequestAsync(new UpdateRequestRequest
                {
                    Request = new HelpRequest { Name = receipt.Name, Region = Marker("newregion", i), Tags = { Marker("newtag", i) } },
                    UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "region", "tags" } },
                }, anna).ResponseAsync.DefaultTimeout();
                var read = await server.Requests.GetRequestAsync(new GetRequestRequest { Name = receipt.Name }, anna).ResponseAsync.DefaultTimeout();
                Assert.StartsWith("CANARY", read.Request.Message, StringComparison.Ordinal);
            }
            for (var i = 0; i < 2; i++)
            {
                await server.Requests.CloseRequestAsync(new CloseRequestRequest { Name = names[i], Resolution = Resolution.Other, Comment = Marker("comment", i) },
                    anna).ResponseAsync.DefaultTimeout();
            }
            var deadline = DateTime.UtcNow.AddSeconds(30);
            int left;
            do
            {
                await Task.Delay(300);
                left = (await server.Requests.ListRequestsAsync(new ListRequestsRequest(), anna).ResponseAsync.DefaultTimeout()).TotalSize;
            }
            while (left > 1 && DateTime.UtcNow < deadline);
            Assert.Equal(1, left);
            kept = names[2];
            Assert.Equal(0, await server.TerminateAsync());
            serverOutput = server.Output;
        }
        Assert.Contains("Retention purged", serverOutput, StringComparison.Ordinal);

        // The admin command line's purge, on the stopped server.
        using (var store = LiteDbRequestStore.Open(_dataDirectory, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance,
            NullLogger.Instance, Convert.FromBase64String(HotlineTestServer.MasterKey)))
        {
            Assert.True(await store.PurgeAsync(kept["requests/".Length..], "admin", CancellationToken.None).DefaultTimeout());
            var audit = await store.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();
            Assert.True(audit.Intact, audit.Detail);
        }

        var files = Directory.EnumerateFiles(_dataDirectory, "*", SearchOption.AllDirectories).Select(path => (path, File.ReadAllBytes(path))).ToList();
        output.WriteLine($"{markers.Count} markers; files: {string.Join(", ", files.Select(f => $"{Path.GetFileName(f.path)} {f.Item2.Length} B"))}; " +
            $"{serverOutput.Split('\n').Length} lines of server output");
        foreach (var marker in markers)
        {
            foreach (var encoded in new[] { Encoding.UTF8.GetBytes(marker), Encoding.Unicode.GetBytes(marker), Encoding.BigEndianUnicode.GetBytes(marker) })
            {
                Assert.DoesNotContain(files, f => f.Item2.AsSpan().IndexOf(encoded) >= 0);
            }
            Assert.DoesNotContain(marker, serverOutput, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("Зарема", serverOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", serverOutput, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
