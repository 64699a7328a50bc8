using Hotline.Domain;
using LiteDB;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

/// <summary>
/// The audit chain records every mutation and every read of request content, and a check of it
/// catches every kind of tampering done directly to the database file, saying where.
/// </summary>
public sealed class AuditChainTests(ITestOutputHelper output)
{
    private static readonly OperatorAccount Holder = TestData.Operator(1);

    [Fact]
    public async Task EveryMutationAndRead_AppendsOneRecordNamingWhoAndWhichRequest()
    {
        using var store = TestStore.InMemory();
        var id = (await store.SubmitAsync(TestData.Submission("a"), CancellationToken.None).DefaultTimeout()).RequestId;
        var other = (await store.SubmitAsync(TestData.Submission("b"), CancellationToken.None).DefaultTimeout()).RequestId;
        await store.ExecuteAsync(id, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(id, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(id, new AddNoteCommand(Holder, "note"), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(id, new UpdateCommand(Holder, new RequestPatch { Urgency = Urgency.ImmediateDanger }), CancellationToken.None).DefaultTimeout();
        await store.GetAsync(id, "reader-1", CancellationToken.None).DefaultTimeout();
        await store.ListAsync(new RequestQuery(), "reader-2", CancellationToken.None).DefaultTimeout();
        // Ended before the changes below: it sent none of them, so it is in no request's trail.
        var watch = await store.RecordWatchStartAsync("watcher", store.CommittedRevision, CancellationToken.None).DefaultTimeout();
        await store.RecordWatchEndAsync(watch, watch.FromRevision, CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(id, new CloseCommand(Holder, Resolution.Referred), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(id, new ReopenCommand(Holder), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(id, new ReleaseCommand(Holder), CancellationToken.None).DefaultTimeout();
        await store.Vault.LockAsync("lena", CancellationToken.None).DefaultTimeout();
        await store.Vault.UnlockAsync(TestStore.MasterKey, "lena", CancellationToken.None).DefaultTimeout();
        await store.PurgeAsync(other, "admin", CancellationToken.None).DefaultTimeout();

        var trail = await store.ListAuditAsync(id, 0, 100, CancellationToken.None).DefaultTimeout();
        var all = await store.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout();

        Assert.Equal(
            [AuditAction.Submitted, AuditAction.Assigned, AuditAction.NoteAdded, AuditAction.Updated, AuditAction.Read,
                AuditAction.Listed, AuditAction.Closed, AuditAction.Reopened, AuditAction.Released],
            trail.Records.Select(r => r.Action));
        Assert.Equal(["web-form", "op-1", "op-1", "op-1", "reader-1", "reader-2", "op-1", "op-1", "op-1"], trail.Records.Select(r => r.Actor));
        Assert.Equal(new HashSet<string> { id, other }, trail.Records.Single(r => r.Action == AuditAction.Listed).RequestIds.ToHashSet());
        Assert.Contains(all.Records, r => r.Action == AuditAction.Watched && r.Actor == "watcher" && r.RequestIds.Count == 0);
        Assert.Contains(all.Records, r => r.Action == AuditAction.Locked && r.Actor == "lena");
        Assert.Contains(all.Records, r => r.Action == AuditAction.Unlocked && r.Actor == "lena");
        Assert.Contains(all.Records, r => r.Action == AuditAction.Purged && r.RequestIds.SequenceEqual([other]));
        Assert.Equal(Enumerable.Range(1, all.Records.Count).Select(i => (long)i), all.Records.Select(r => r.Sequence));
        var verified = await store.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();
        Assert.True(verified.Intact, verified.Detail);
        Assert.Equal(all.Records.Count, verified.RecordsChecked);
        Assert.Equal(all.Records[^1].Hash.ToArray(), verified.HeadHash.ToArray());
    }

    public static TheoryData<string, AuditChainProblem, long> Tampering => new()
    {
        { "edit the actor of record 5", AuditChainProblem.RecordAltered, 5 },
        { "edit the time of record 8", AuditChainProblem.RecordAltered, 8 },
        { "point record 6 at other requests", AuditChainProblem.RecordAltered, 6 },
        { "delete record 4", AuditChainProblem.RecordMissing, 4 },
        { "delete the newest record", AuditChainProblem.ChainTruncated, 12 },
        { "delete the newest three records", AuditChainProblem.ChainTruncated, 10 },
        { "insert a forged record at 5, shifting the rest", AuditChainProblem.RecordAltered, 5 },
        { "append a forged record", AuditChainProblem.RecordAltered, 13 },
        { "swap records 3 and 4", AuditChainProblem.RecordAltered, 3 },
        { "copy record 2 over record 7", AuditChainProblem.RecordAltered, 7 },
        { "recompute record 9 with plain SHA-256", AuditChainProblem.RecordAltered, 9 },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task TamperingInTheFile_IsCaughtAtItsPosition(string tampering, AuditChainProblem problem, long position)
    {
        using var directory = new TempDirectory();
        using (var store = TestStore.InDirectory(directory.Path))
        {
            var id = (await store.SubmitAsync(TestData.Submission("t"), CancellationToken.None).DefaultTimeout()).RequestId;
            for (var i = 0; i < 11; i++)
            {
                await store.GetAsync(id, "reader-" + i, CancellationToken.None).DefaultTimeout();
            }
            Assert.True((await store.VerifyAuditAsync(CancellationToken.None).DefaultTimeout()).Intact);
        }
        using (var db = new LiteDatabase(Path.Combine(directory.Path, "hotline.db")))
        {
            Tamper(db.GetCollection(AuditDocument.Collection), tampering);
        }

        using var reopened = TestStore.InDirectory(directory.Path);
        var result = await reopened.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();

        output.WriteLine($"{tampering}: {result.Problem} at {result.Position}: {result.Detail}");
        Assert.False(result.Intact);
        Assert.Equal(problem, result.Problem);
        Assert.Equal(position, result.Position);
        Assert.Equal(position - 1, result.HeadSequence);
    }

    [Fact]
    public async Task Verify_WhileLocked_IsRefusedAsLockedDown()
    {
        using var store = TestStore.InMemory();
        await store.Vault.LockAsync("admin", CancellationToken.None).DefaultTimeout();

        var refused = await Assert.ThrowsAsync<DomainException>(() => store.VerifyAuditAsync(CancellationToken.None).DefaultTimeout());

        Assert.Equal((ErrorKind.FailedPrecondition, ErrorReasons.LockedDown), (refused.Kind, refused.Reason));
    }

    private static void Tamper(ILiteCollection<BsonDocument> audit, string tampering)
    {
        BsonDocument Record(long sequence) => audit.FindById(sequence);
        switch (tampering)
        {
            case "edit the actor of record 5":
                Update(audit, Record(5), d => d["actor"] = "someone-else");
                break;
            case "edit the time of record 8":
                Update(audit, Record(8), d => d["time"] = d["time"].AsInt64 - TimeSpan.TicksPerHour);
                break;
            case "point record 6 at other requests":
                Update(audit, Record(6), d => d[AuditDocument.RequestKeysField] = new BsonArray());
                break;
            case "delete record 4":
                audit.Delete(4);
                break;
            case "delete the newest record":
                audit.Delete(12);
                break;
            case "delete the newest three records":
                audit.DeleteMany(Query.GT("_id", 9));
                break;
            case "insert a forged record at 5, shifting the rest":
                for (var sequence = 12L; sequence >= 5; sequence--)
                {
                    var moved = Record(sequence);
                    audit.Delete(sequence);
                    moved["_id"] = sequence + 1;
                    audit.Insert(moved);
                }
                var forged = Record(4);
                forged["_id"] = 5L;
                forged["actor"] = "nobody";
                forged["prev"] = Record(4)["hash"];
                audit.Insert(forged);
                break;
            case "append a forged record":
                var appended = Record(12);
                appended["_id"] = 13L;
                appended["prev"] = Record(12)["hash"];
                audit.Insert(appended);
                break;
            case "swap records 3 and 4":
                var third = Record(3);
                var fourth = Record(4);
                audit.Delete(3);
                audit.Delete(4);
                third["_id"] = 4L;
                fourth["_id"] = 3L;
                audit.Insert(third);
                audit.Insert(fourth);
                break;
            case "copy record 2 over record 7":
                var copy = Record(2);
                copy["_id"] = 7L;
                audit.Update(copy);
                break;
            case "recompute record 9 with plain SHA-256":
                Update(audit, Record(9), d =>
                {
                    d["actor"] = "covered-up";
                    d["hash"] = System.Security.Cryptography.SHA256.HashData(AuditChain.Canonical(AuditDocument.FromBson(d)));
                });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(tampering), tampering, null);
        }
    }

    private static void Update(ILiteCollection<BsonDocument> audit, BsonDocument record, Action<BsonDocument> edit)
    {
        edit(record);
        Assert.True(audit.Update(record));
    }
}
