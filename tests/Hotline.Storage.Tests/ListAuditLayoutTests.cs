using Hotline.Domain;
using LiteDB;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Storage.Tests;

/// <summary>
/// A record naming several requests (a page of a list) is indexed by the periods its requests were
/// created in rather than by each request, and a request's trail still finds exactly the records
/// that name it, in either layout; keys that do not follow from the hashed ids are caught.
/// </summary>
public sealed class ListAuditLayoutTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(1L << 25);

    [Fact]
    public async Task AListsRecord_IsIndexedByPeriod_AndInTheTrailOfExactlyTheRequestsItNamed()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(TestData.Start);
        long listedAll;
        long listedOne;
        string[] ids;
        using (var store = TestStore.InDirectory(directory.Path, time: time))
        {
            // Two requests in one period, a third two periods later.
            var a = await SubmitAsync(store, "a");
            time.Advance(TimeSpan.FromMinutes(1));
            var b = await SubmitAsync(store, "b");
            time.Advance(Period * 2);
            var c = await SubmitAsync(store, "c");
            ids = [a, b, c];
            Assert.Equal(Hotline.Protection.RequestIds.Period(a), Hotline.Protection.RequestIds.Period(b));
            Assert.NotEqual(Hotline.Protection.RequestIds.Period(a), Hotline.Protection.RequestIds.Period(c));

            await store.ListAsync(new RequestQuery(), "reader-all", CancellationToken.None).DefaultTimeout();
            // A page of one: the oldest, a.
            await store.ListAsync(new RequestQuery { Limit = 1, Order = [new SortKey(SortField.Number, Descending: false)] }, "reader-one",
                CancellationToken.None).DefaultTimeout();
            var all = (await store.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout()).Records;
            listedAll = all.Single(r => r.Actor == "reader-all").Sequence;
            listedOne = all.Single(r => r.Actor == "reader-one").Sequence;

            Assert.Contains(listedAll, await TrailAsync(store, a));
            Assert.Contains(listedAll, await TrailAsync(store, b));
            Assert.Contains(listedAll, await TrailAsync(store, c));
            Assert.Contains(listedOne, await TrailAsync(store, a));
            Assert.DoesNotContain(listedOne, await TrailAsync(store, b));
            Assert.DoesNotContain(listedOne, await TrailAsync(store, c));
            Assert.True((await store.VerifyAuditAsync(CancellationToken.None).DefaultTimeout()).Intact);
        }

        using var db = new LiteDatabase(Path.Combine(directory.Path, "hotline.db"));
        var audit = db.GetCollection(AuditDocument.Collection);
        var several = audit.FindById(listedAll);
        // Two periods, so two index entries instead of three; the ids are kept beside them, in order.
        Assert.Equal(2, several[AuditDocument.RequestKeysField].AsArray.Count);
        Assert.Equal(ids.Length, several[AuditDocument.ListedIdsField].AsArray.Count);
        var one = audit.FindById(listedOne);
        Assert.Equal([ids[0]], one[AuditDocument.RequestKeysField].AsArray.Select(v => v.AsString));
        Assert.False(one.ContainsKey(AuditDocument.ListedIdsField));
    }

    [Fact]
    public async Task RecordsWrittenInTheOldLayout_NamingEveryRequestInTheIndex_AreStillFoundAndVerify()
    {
        using var directory = new TempDirectory();
        string a;
        string b;
        long listed;
        using (var store = TestStore.InDirectory(directory.Path))
        {
            a = await SubmitAsync(store, "a");
            b = await SubmitAsync(store, "b");
            await store.ListAsync(new RequestQuery(), "reader", CancellationToken.None).DefaultTimeout();
            listed = (await store.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout()).Records.Single(r => r.Actor == "reader").Sequence;
        }
        using (var db = new LiteDatabase(Path.Combine(directory.Path, "hotline.db")))
        {
            var audit = db.GetCollection(AuditDocument.Collection);
            var doc = audit.FindById(listed);
            doc[AuditDocument.RequestKeysField] = doc[AuditDocument.ListedIdsField];
            doc.Remove(AuditDocument.ListedIdsField);
            Assert.True(audit.Update(doc));
        }

        using var reopened = TestStore.InDirectory(directory.Path);
        Assert.Contains(listed, await TrailAsync(reopened, a));
        Assert.Contains(listed, await TrailAsync(reopened, b));
        var verified = await reopened.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();
        Assert.True(verified.Intact, verified.Detail);
    }

    public static TheoryData<string> HidingTamperings => new()
    {
        "drop the period keys",
        "replace them with another period's",
        "mark a one-request record as a list",
    };

    [Theory]
    [MemberData(nameof(HidingTamperings))]
    public async Task IndexKeysThatDoNotFollowFromTheHashedIds_AreCaughtByVerification(string tampering)
    {
        using var directory = new TempDirectory();
        long listed;
        long read;
        using (var store = TestStore.InDirectory(directory.Path))
        {
            var a = await SubmitAsync(store, "a");
            await SubmitAsync(store, "b");
            await store.ListAsync(new RequestQuery(), "reader", CancellationToken.None).DefaultTimeout();
            await store.GetAsync(a, "getter", CancellationToken.None).DefaultTimeout();
            var all = (await store.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout()).Records;
            listed = all.Single(r => r.Actor == "reader").Sequence;
            read = all.Single(r => r.Actor == "getter").Sequence;
        }
        var position = tampering == "mark a one-request record as a list" ? read : listed;
        using (var db = new LiteDatabase(Path.Combine(directory.Path, "hotline.db")))
        {
            var audit = db.GetCollection(AuditDocument.Collection);
            var doc = audit.FindById(position);
            switch (tampering)
            {
                case "drop the period keys":
                    doc[AuditDocument.RequestKeysField] = new BsonArray();
                    break;
                case "replace them with another period's":
                    doc[AuditDocument.RequestKeysField] = new BsonArray(new BsonValue("~222"));
                    break;
                default:
                    doc[AuditDocument.ListedIdsField] = doc[AuditDocument.RequestKeysField];
                    doc[AuditDocument.RequestKeysField] = new BsonArray(new BsonValue("~222"));
                    break;
            }
            Assert.True(audit.Update(doc));
        }

        using var reopened = TestStore.InDirectory(directory.Path);
        var result = await reopened.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();

        Assert.False(result.Intact);
        Assert.Equal(AuditChainProblem.RecordAltered, result.Problem);
        Assert.Equal(position, result.Position);
    }

    private static async Task<string> SubmitAsync(LiteDbRequestStore store, string key) =>
        (await store.SubmitAsync(TestData.Submission(key), CancellationToken.None).DefaultTimeout()).RequestId;

    private static async Task<List<long>> TrailAsync(LiteDbRequestStore store, string id) =>
        [.. (await store.ListAuditAsync(id, 0, 100, CancellationToken.None).DefaultTimeout()).Records.Select(r => r.Sequence)];
}
