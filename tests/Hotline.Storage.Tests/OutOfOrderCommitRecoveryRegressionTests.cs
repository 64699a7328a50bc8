using Hotline.Domain;
using LiteDB;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

/// <summary>
/// LiteDB 5.0.21 restores "the last transaction id" from the last page of the log file, not the
/// highest id in it. When two threads commit out of order (the lower id last) and the process
/// dies before a checkpoint, the next session reuses the higher id; if it too dies before a
/// checkpoint, the recovery after that confirms the old transaction's pages a second time, as the
/// newest, hiding the commit that came after them; the next checkpoint makes the loss permanent.
/// The store's guard is a checkpoint right after opening, before any write. These tests build the
/// dangerous log deterministically (two threads, ordered by events; "crashes" are copies of the
/// files taken without a checkpoint) and show the raw path losing an acknowledged document and
/// the store keeping it.
/// </summary>
public sealed class OutOfOrderCommitRecoveryRegressionTests(ITestOutputHelper output)
{
    private const int PageSize = 8192;
    private const int TransactionIdOffset = 14;

    [Fact]
    public async Task RawLiteDb_WritingOnAnOutOfOrderLogWithoutCheckpoint_LosesAnAcknowledgedDocument()
    {
        var crash = OutOfOrderCommits(await SeededDatabaseAsync(), out var lower, out var higher);

        // Session two writes elsewhere and dies before a checkpoint; its only transaction reuses the higher id.
        var second = crash.Open();
        using (var db = new LiteDatabase(second.Data, mapper: null, second.Log))
        {
            db.GetCollection("session_two").Insert(new BsonDocument { ["_id"] = "marker" });
            second = CrashImage.Of(second.Data, second.Log);
        }
        var reused = TransactionIds(second.Log);
        output.WriteLine("log after session two (transaction id per page): " + string.Join(",", reused));

        // Session three recovers: the older transaction's pages are confirmed again as the newest, so
        // the request committed after them is gone from every read. An operator's update to the other
        // request rewrites the shared page from that stale view, and the clean close checkpoints it.
        var third = second.Open();
        using (var db = new LiteDatabase(third.Data, mapper: null, third.Log))
        {
            var recovered = db.GetCollection("requests");
            Assert.NotNull(recovered.FindById(higher.Id));
            Assert.Null(recovered.FindById(lower.Id));
            TestStore.WriteSealed(db, higher with { State = RequestState.Assigned, Assignee = "op-1" }, update: true);
        }
        using var fourth = new LiteDatabase(CrashImage.Of(third.Data, third.Log).Data);
        var requests = fourth.GetCollection("requests");

        Assert.Equal("op-1", requests.FindById(higher.Id)?["assignee"].AsString);
        Assert.Null(requests.FindById(lower.Id));
        output.WriteLine($"raw LiteDB: acknowledged request {lower.Id} (number {lower.Number}) is lost for good after recovery, one update and a clean close");
    }

    [Fact]
    public async Task Store_OpenedOnAnOutOfOrderLog_KeepsEveryAcknowledgedDocumentThroughWritesAndReopens()
    {
        var crash = OutOfOrderCommits(await SeededDatabaseAsync(), out var lower, out var higher);
        using var first = new TempDirectory();
        using var afterCrash = new TempDirectory();
        crash.WriteTo(first.Path);

        IntakeReceipt beforeCrash;
        using (var store = TestStore.InDirectory(first.Path))
        {
            // The dangerous log was folded into the data file before the store wrote anything.
            Assert.Equal(0, CrashImage.OfFiles(first.Path).Log.Length);
            beforeCrash = await store.SubmitAsync(TestData.Submission("session-two"), CancellationToken.None).DefaultTimeout();
            // The server dies here, without closing: its files are copied as they are.
            CrashImage.OfFiles(first.Path).WriteTo(afterCrash.Path);
        }
        IntakeReceipt afterRecovery;
        using (var store = TestStore.InDirectory(afterCrash.Path))
        {
            afterRecovery = await store.SubmitAsync(TestData.Submission("session-three"), CancellationToken.None).DefaultTimeout();
            var assigned = await store.ExecuteAsync(lower.Id, new AssignCommand(TestData.Operator(1), TestData.Operator(1)), CancellationToken.None).DefaultTimeout();
            Assert.Equal(lower.Message, assigned.Message);
        }
        using (var store = TestStore.InDirectory(afterCrash.Path))
        {
            Assert.Equal(lower.Message, (await store.GetAsync(lower.Id, TestData.Reader, CancellationToken.None).DefaultTimeout())?.Message);
            Assert.Equal(TestData.Operator(1).Id, (await store.GetAsync(lower.Id, TestData.Reader, CancellationToken.None).DefaultTimeout())?.Assignee);
            Assert.Equal(higher.Message, (await store.GetAsync(higher.Id, TestData.Reader, CancellationToken.None).DefaultTimeout())?.Message);
            Assert.NotNull(await store.GetAsync(beforeCrash.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout());
            Assert.NotNull(await store.GetAsync(afterRecovery.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout());
            var all = await store.ListAsync(new RequestQuery(), TestData.Reader, CancellationToken.None).DefaultTimeout();
            Assert.Equal(5, all.Requests.Count);
        }
    }

    /// <summary>A Hotline database made by the store, holding one request.</summary>
    private static async Task<MemoryStream> SeededDatabaseAsync()
    {
        var data = new MemoryStream();
        using (var store = TestStore.OnStreams(data, log: null))
        {
            await store.SubmitAsync(TestData.Submission("seed"), CancellationToken.None).DefaultTimeout();
        }
        // The store switches LiteDB's own checkpoints off; the raw sessions here run with LiteDB's default (1,000 pages).
        using (var raw = new LiteDatabase(data))
        {
            raw.Pragma("CHECKPOINT", 1000);
            raw.Checkpoint();
        }
        return data;
    }

    /// <summary>
    /// <paramref name="data"/> plus two requests committed by two threads on a raw
    /// LiteDatabase, the lower transaction id last, copied before any checkpoint.
    /// </summary>
    private CrashImage OutOfOrderCommits(MemoryStream data, out HelpRequest lower, out HelpRequest higher)
    {
        var log = new MemoryStream();
        var first = Request("began-first-committed-last", 1001);
        var second = Request("began-second-committed-first", 1002);
        using var db = new LiteDatabase(data, mapper: null, log);
        using var firstBegan = new ManualResetEventSlim();
        using var secondCommitted = new ManualResetEventSlim();
        var failures = new List<Exception>();
        var lowerId = new Thread(() => Guard(failures, () =>
        {
            db.BeginTrans();
            firstBegan.Set();
            Assert.True(secondCommitted.Wait(TaskExtensions.Timeout));
            TestStore.WriteSealed(db, first);
            db.Commit();
        }));
        var higherId = new Thread(() => Guard(failures, () =>
        {
            Assert.True(firstBegan.Wait(TaskExtensions.Timeout));
            db.BeginTrans();
            TestStore.WriteSealed(db, second);
            db.Commit();
            secondCommitted.Set();
        }));
        lowerId.Start();
        higherId.Start();
        Assert.True(lowerId.Join(TaskExtensions.Timeout) && higherId.Join(TaskExtensions.Timeout));
        Assert.Empty(failures);
        var crash = CrashImage.Of(data, log);

        var ids = TransactionIds(crash.Log);
        output.WriteLine("log after out-of-order commits (transaction id per page): " + string.Join(",", ids));
        Assert.True(ids[^1] < ids.Max(), "the log's last page must not carry its highest transaction id");
        lower = first;
        higher = second;
        return crash;
    }

    private static HelpRequest Request(string message, long number) => new()
    {
        Id = RequestIds.New(TestData.Start),
        Number = number,
        Channel = Channel.Phone,
        Message = message,
        Urgency = Urgency.Urgent,
        State = RequestState.New,
        CreateTime = TestData.Start,
        UpdateTime = TestData.Start,
        Revision = number,
    };

    private static List<uint> TransactionIds(MemoryStream log)
    {
        var bytes = log.ToArray();
        var ids = new List<uint>();
        for (var page = 0; page + PageSize <= bytes.Length; page += PageSize)
        {
            ids.Add(BitConverter.ToUInt32(bytes, page + TransactionIdOffset));
        }
        return ids;
    }

    private static void Guard(List<Exception> failures, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            lock (failures)
            {
                failures.Add(ex);
            }
        }
    }

    /// <summary>The bytes of a data file and its log as a crash would leave them.</summary>
    private sealed record CrashImage(MemoryStream Data, MemoryStream Log)
    {
        private const string DataFile = "hotline.db";
        private const string LogFile = "hotline-log.db";

        public static CrashImage Of(MemoryStream data, MemoryStream log) => new(Expandable(data.ToArray()), Expandable(log.ToArray()));

        /// <summary>Copies the files of a live store, sharing them as LiteDB allows readers to.</summary>
        public static CrashImage OfFiles(string directory) => new(ReadShared(Path.Combine(directory, DataFile)), ReadShared(Path.Combine(directory, LogFile)));

        public CrashImage Open() => Of(Data, Log);

        public void WriteTo(string directory)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(Path.Combine(directory, DataFile), Data.ToArray());
            if (Log.Length > 0)
            {
                File.WriteAllBytes(Path.Combine(directory, LogFile), Log.ToArray());
            }
        }

        /// <summary>A MemoryStream built over an array cannot grow, and LiteDB needs to append.</summary>
        private static MemoryStream Expandable(byte[] bytes)
        {
            var stream = new MemoryStream();
            stream.Write(bytes);
            stream.Position = 0;
            return stream;
        }

        private static MemoryStream ReadShared(string path)
        {
            var copy = new MemoryStream();
            if (File.Exists(path))
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                file.CopyTo(copy);
            }
            copy.Position = 0;
            return copy;
        }
    }
}
