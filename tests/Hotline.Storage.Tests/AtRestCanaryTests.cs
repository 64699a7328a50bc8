using System.Globalization;
using Hotline.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

/// <summary>
/// Unique markers in every free-text field, taken through a whole life (notes, updates, close,
/// reopen, purge, retention, compaction, a second open), then searched for in every file of the data
/// directory as raw bytes and in every log line: none may be found, for live requests as well as purged ones.
/// </summary>
public sealed class AtRestCanaryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EveryLifecycleStep_LeavesNoMarkerInAnyFileOrLogLine()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(TestData.Start);
        var logger = new CapturingLogger();
        var markers = new List<string>();
        // Idempotency keys allow only ASCII letters, digits and . _ : -; every other field gets Cyrillic too.
        string Marker(string field, int request, bool ascii = false)
        {
            // Cut to fit a tag (40 characters); the random hex digits left still make every marker unique.
            var marker = string.Create(CultureInfo.InvariantCulture, $"CANARY{request}{field}{(ascii ? "" : "Зарема")}{Guid.NewGuid():N}")[..(ascii ? 40 : 36)];
            markers.Add(marker);
            return marker;
        }
        var holder = TestData.Operator(1);
        var options = new RequestStoreOptions { ChangeLogRetention = 3, CompactionInterval = 5 };
        using (var store = TestStore.InDirectory(directory.Path, options: options, time: time, logger: logger))
        {
            var ids = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                var intakeKey = Marker("intake", i, ascii: true);
                var receipt = await store.SubmitAsync(TestData.Submission(intakeKey, Marker("message", i)) with
                {
                    ContactHandle = "@" + Marker("handle", i),
                    Region = Marker("region", i),
                    Tags = [Marker("tag", i), "housing"],
                }, CancellationToken.None).DefaultTimeout();
                ids.Add(receipt.RequestId);
                await store.ExecuteAsync(receipt.RequestId, new AssignCommand(holder, holder), CancellationToken.None).DefaultTimeout();
                await store.ExecuteAsync(receipt.RequestId, new AddNoteCommand(holder, Marker("note", i), Marker("noteid", i, ascii: true)),
                    CancellationToken.None).DefaultTimeout();
                await store.ExecuteAsync(receipt.RequestId, new UpdateCommand(holder, new RequestPatch { Region = Marker("newregion", i), Tags = [Marker("newtag", i)] }),
                    CancellationToken.None).DefaultTimeout();
                await store.ExecuteAsync(receipt.RequestId, new CloseCommand(holder, Resolution.Other, Marker("comment", i)), CancellationToken.None).DefaultTimeout();
            }
            await store.ExecuteAsync(ids[3], new ReopenCommand(holder, Marker("reopen", 3)), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(ids[3], new SetFollowUpCommand(holder, time.GetUtcNow().AddHours(1), Marker("followup", 3)), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(ids[3], new AssignCommand(holder, TestData.Operator(2), HandOverNote: Marker("handover", 3)), CancellationToken.None).DefaultTimeout();
            time.Advance(TimeSpan.FromHours(2));
            await store.ExecuteAsync(ids[3], new MarkFollowUpDueCommand(), CancellationToken.None).DefaultTimeout();
            var read = await store.GetAsync(ids[2], TestData.Reader, CancellationToken.None).DefaultTimeout();
            Assert.StartsWith("CANARY2message", read!.Message, StringComparison.Ordinal);
            await store.ListAsync(new RequestQuery(), TestData.Reader, CancellationToken.None).DefaultTimeout();
            await store.ReadChangesAsync(1, 1_000, CancellationToken.None).DefaultTimeout();

            Assert.True(await store.PurgeAsync(ids[0], "admin", CancellationToken.None).DefaultTimeout());
            time.Advance(TimeSpan.FromDays(40));
            await store.ExecuteAsync(ids[2], new ReopenCommand(holder), CancellationToken.None).DefaultTimeout();
            Assert.Equal(1, await store.PurgeClosedBeforeAsync(time.GetUtcNow() - TimeSpan.FromDays(30), "retention", CancellationToken.None).DefaultTimeout());
            await store.CompactAsync(CancellationToken.None).DefaultTimeout();
        }
        using (var reopened = TestStore.InDirectory(directory.Path, time: time, logger: logger))
        {
            var left = await reopened.ListAsync(new RequestQuery(), TestData.Reader, CancellationToken.None).DefaultTimeout();
            Assert.Equal(2, left.Requests.Count);
        }

        var files = RawFiles.ReadAll(directory.Path);
        output.WriteLine($"{markers.Count} markers, {files.Count} files: " + string.Join(", ", files.Select(f => $"{Path.GetFileName(f.Path)} {f.Bytes.Length} B")));
        foreach (var marker in markers)
        {
            Assert.Empty(RawFiles.FilesContaining(files, marker));
            Assert.DoesNotContain(logger.Lines, line => line.Contains(marker, StringComparison.Ordinal));
        }
        Assert.DoesNotContain(logger.Lines, line => line.Contains("Зарема", StringComparison.Ordinal) || line.Contains("CANARY", StringComparison.Ordinal));
    }

    [Fact]
    public void Scanner_FindsAMarkerWrittenInTheClear()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.Path);
        using (var db = new LiteDB.LiteDatabase(Path.Combine(directory.Path, "plain.db")))
        {
            db.GetCollection("x").Insert(new LiteDB.BsonDocument { ["text"] = "CANARYplainЗарема" });
        }
        File.WriteAllText(Path.Combine(directory.Path, "utf16.txt"), "CANARYwide", System.Text.Encoding.Unicode);

        var files = RawFiles.ReadAll(directory.Path);

        Assert.Single(RawFiles.FilesContaining(files, "CANARYplainЗарема"));
        Assert.Single(RawFiles.FilesContaining(files, "CANARYwide"));
    }
}

/// <summary>Keeps every formatted log line, exception text included.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add(formatter(state, exception) + (exception is null ? "" : " " + exception));
        }
    }
}
