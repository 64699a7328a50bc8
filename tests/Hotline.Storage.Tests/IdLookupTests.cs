using LiteDB;

namespace Hotline.Storage.Tests;

/// <summary>The writer reuses one parsed predicate for every lookup; each must still see only its own id.</summary>
public sealed class IdLookupTests
{
    [Fact]
    public void AlternatingHitsAndMisses_EachFindsExactlyItsOwnDocument()
    {
        using var database = new LiteDatabase(new MemoryStream());
        var collection = database.GetCollection("docs");
        collection.Insert(Enumerable.Range(0, 200).Select(i => new BsonDocument { ["_id"] = "id" + i, ["n"] = i }));
        var lookup = new IdLookup(collection);

        for (var i = 0; i < 400; i++)
        {
            var found = lookup.Find("id" + i);
            if (i < 200)
            {
                Assert.Equal(i, found?["n"].AsInt32);
            }
            else
            {
                Assert.Null(found);
            }
            Assert.Equal(i % 200, lookup.Find("id" + (i % 200))?["n"].AsInt32);
        }
    }

    [Fact]
    public void InsideTransaction_SeesDocumentsWrittenEarlierInIt()
    {
        using var database = new LiteDatabase(new MemoryStream());
        var collection = database.GetCollection("docs");
        var lookup = new IdLookup(collection);
        Assert.True(database.BeginTrans());

        Assert.Null(lookup.Find("fresh"));
        collection.Insert(new BsonDocument { ["_id"] = "fresh", ["n"] = 1 });

        Assert.Equal(1, lookup.Find("fresh")?["n"].AsInt32);
        database.Rollback();
        Assert.Null(lookup.Find("fresh"));
    }
}
