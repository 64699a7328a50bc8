using LiteDB;

namespace Hotline.Storage.Tests;

/// <summary>The writer counts earlier contacts with one parsed predicate; each count must still see only its own range.</summary>
public sealed class EarlierContactsCountTests
{
    [Fact]
    public void AlternatingRequesters_EachCountMatchesTheQueryParsedAfresh()
    {
        using var database = new LiteDatabase(new MemoryStream());
        var requests = database.GetCollection(RequestDocument.Collection);
        requests.EnsureIndex(RequesterIndex.Field, "$." + RequesterIndex.Field);
        var flood = new byte[KeyRing.PseudonymLength];
        var single = Enumerable.Repeat((byte)7, KeyRing.PseudonymLength).ToArray();
        var number = 0L;
        for (var i = 0; i < RequesterIndex.EarlierContactsCap + 20; i++)
        {
            requests.Insert(Request(++number, flood));
            if (i % 10 == 0)
            {
                requests.Insert(Request(++number, single));
            }
        }
        requests.Insert(Request(++number, requester: null));
        var count = new EarlierContactsCount(requests);

        foreach (var doc in requests.FindAll().ToList())
        {
            var prefix = RequesterIndex.PrefixOf(doc);
            var docNumber = doc[RequestDocument.NumberField].AsInt64;
            Assert.Equal(RequesterIndex.CountEarlier(requests, prefix, docNumber), count.Count(prefix, docNumber));
        }
        var floodPrefix = RequesterIndex.PrefixOf(Request(1, flood));
        var singlePrefix = RequesterIndex.PrefixOf(Request(1, single));
        Assert.Equal(RequesterIndex.EarlierContactsCap, count.Count(floodPrefix, number + 1));
        Assert.Equal(12, count.Count(singlePrefix, number + 1));
        Assert.Equal(0, count.Count(singlePrefix, 1));
        Assert.Equal(0, count.Count(prefix: null, number + 1));
    }

    [Fact]
    public void InsideTransaction_CountsRequestsWrittenEarlierInIt()
    {
        using var database = new LiteDatabase(new MemoryStream());
        var requests = database.GetCollection(RequestDocument.Collection);
        requests.EnsureIndex(RequesterIndex.Field, "$." + RequesterIndex.Field);
        var pseudonym = new byte[KeyRing.PseudonymLength];
        var prefix = RequesterIndex.PrefixOf(Request(1, pseudonym));
        var count = new EarlierContactsCount(requests);
        Assert.True(database.BeginTrans());

        requests.Insert(Request(1, pseudonym));
        Assert.Equal(0, count.Count(prefix, 1));
        requests.Insert(Request(2, pseudonym));

        Assert.Equal(1, count.Count(prefix, 2));
        Assert.Equal(2, count.Count(prefix, 3));
        database.Rollback();
        Assert.Equal(0, count.Count(prefix, 3));
    }

    private static BsonDocument Request(long number, byte[]? requester) => new()
    {
        ["_id"] = "r" + number,
        [RequestDocument.NumberField] = number,
        [RequesterIndex.Field] = requester is null ? BsonValue.Null : new BsonValue(RequesterIndex.Key(requester, number)),
    };
}
