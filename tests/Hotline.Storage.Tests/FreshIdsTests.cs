using Hotline.Protection;
using LiteDB;

namespace Hotline.Storage.Tests;

/// <summary>
/// A new request id skips the writer's lookup only when it cannot be stored: a later millisecond
/// than every stored id, or the newest millisecond with every id of it known. Everything else is
/// looked up, and a stored id is always found.
/// </summary>
public sealed class FreshIdsTests
{
    private static readonly DateTimeOffset Earlier = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Newest = Earlier.AddSeconds(5);
    private static readonly DateTimeOffset Later = Newest.AddMilliseconds(1);

    [Fact]
    public void EmptyStore_EveryFirstIdIsFree_AndAnIdAlreadyIssuedIsNot()
    {
        var fresh = new FreshIds(newestStoredId: null);
        var first = RequestIds.New(Newest);
        var sameMillisecond = SameMillisecondAs(first);

        Assert.True(fresh.CertainlyUnused(first));
        Assert.True(fresh.CertainlyUnused(sameMillisecond));
        Assert.False(fresh.CertainlyUnused(first));
        Assert.False(fresh.CertainlyUnused(sameMillisecond));
    }

    [Fact]
    public void NewestStoredMillisecond_IsLookedUpUntilTheWriterHasMovedPastIt()
    {
        var stored = RequestIds.New(Newest);
        var fresh = new FreshIds(stored);

        Assert.False(fresh.CertainlyUnused(SameMillisecondAs(stored)));
        Assert.True(fresh.CertainlyUnused(RequestIds.New(Later)));
        Assert.False(fresh.CertainlyUnused(SameMillisecondAs(stored)));
    }

    [Fact]
    public void ClockSteppedBack_IdsFromEarlierMillisecondsAreLookedUp()
    {
        var fresh = new FreshIds(null);
        Assert.True(fresh.CertainlyUnused(RequestIds.New(Newest)));

        Assert.False(fresh.CertainlyUnused(RequestIds.New(Earlier)));
        Assert.False(fresh.CertainlyUnused(RequestIds.New(Earlier)));
    }

    [Fact]
    public void ClockStandingStill_RemembersABoundedNumberOfIds_ThenLooksEveryIdUpUntilItMoves()
    {
        var fresh = new FreshIds(null);
        var first = RequestIds.New(Newest);
        Assert.True(fresh.CertainlyUnused(first));
        for (var i = 1; i < FreshIds.MaxRemembered; i++)
        {
            Assert.True(fresh.CertainlyUnused(SameMillisecondAs(first)));
        }

        // Full: from here on, the same millisecond is looked up, and the earlier ids are not forgotten as stored.
        Assert.False(fresh.CertainlyUnused(SameMillisecondAs(first)));
        Assert.False(fresh.CertainlyUnused(SameMillisecondAs(first)));
        Assert.False(fresh.CertainlyUnused(first));

        Assert.True(fresh.CertainlyUnused(RequestIds.New(Later)));
    }

    [Fact]
    public void Rows_FindEveryStoredId_AndLookUpOnlyWhatCouldBeStored()
    {
        using var database = new LiteDatabase(new MemoryStream());
        var schema = new StoreSchema(database);
        var older = RequestIds.New(Earlier);
        var newest = RequestIds.New(Newest);
        schema.Requests.Insert(new BsonDocument { ["_id"] = older });
        schema.Requests.Insert(new BsonDocument { ["_id"] = newest });
        RevisionWatermark.Write(schema.Requests, 2);
        var rows = new LiteDbRows(schema);

        Assert.True(rows.RequestExists(newest));
        Assert.True(rows.RequestExists(older));
        Assert.Equal(2, rows.IdLookups);

        Assert.False(rows.RequestExists(RequestIds.New(Later)));
        Assert.False(rows.RequestExists(RequestIds.New(Later.AddMilliseconds(1))));
        Assert.Equal(2, rows.IdLookups);

        Assert.True(rows.RequestExists(newest));
        Assert.True(rows.RequestExists(older));
        Assert.Equal(4, rows.IdLookups);
    }

    [Fact]
    public void Rows_OverIdsFromBeforeTimePrefixes_LookUpEveryNewId()
    {
        using var database = new LiteDatabase(new MemoryStream());
        var schema = new StoreSchema(database);
        // Before time prefixes, ids were 20 random characters: this one sorts after any id made today.
        var random = "zzzzzzzzzzzzzzzzzzzz";
        Assert.True(RequestIds.IsWellFormed(random));
        schema.Requests.Insert(new BsonDocument { ["_id"] = random });
        var rows = new LiteDbRows(schema);

        Assert.False(rows.RequestExists(RequestIds.New(Later)));
        Assert.False(rows.RequestExists(RequestIds.New(Later.AddMilliseconds(1))));
        Assert.True(rows.RequestExists(random));
        Assert.Equal(3, rows.IdLookups);
    }

    /// <summary>Another id from the same millisecond as <paramref name="id"/>, with other random characters.</summary>
    private static string SameMillisecondAs(string id)
    {
        while (true)
        {
            var other = id[..RequestIds.PrefixCharacters] + RequestIds.New(Newest)[RequestIds.PrefixCharacters..];
            if (other != id)
            {
                return other;
            }
        }
    }
}
