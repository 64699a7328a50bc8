using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// The stream index: one document per watch record of the audit chain (WATCHED, WATCH_PROGRESSED,
/// WATCH_ENDED), keyed by the record's sequence number and written in the same transaction, so a
/// request's trail finds the streams that could have sent it through a few index ranges instead of
/// walking the chain. It is only an index: the chain holds the same fields under its hashes, and
/// the records a trail shows are read from the chain. Kept out of the audit collection because an
/// index there would hold a null key for every record that is not a watch record.
/// </summary>
internal static class WatchDocument
{
    public const string Collection = "watches";
    public const string StreamField = "stream";
    public const string ThroughField = "through";
    public const string SnapshotAtField = "snapshot_at";
    public const string ClosedSinceField = "closed_since";

    public static BsonDocument ToBson(long sequence, WatchMark mark)
    {
        var doc = new BsonDocument
        {
            ["_id"] = sequence,
            [StreamField] = mark.Stream,
            ["from"] = mark.FromRevision,
            [ThroughField] = mark.Through,
            ["ended"] = mark.Ended,
        };
        if (mark.SnapshotClosedSince is { } closedSince)
        {
            // Only a snapshot's opening record has these: the indexes on them hold the snapshots.
            doc[SnapshotAtField] = mark.FromRevision;
            doc[ClosedSinceField] = closedSince.UtcTicks;
        }
        return doc;
    }

    public static (long Sequence, WatchMark Mark) FromBson(BsonDocument doc) => (
        doc["_id"].AsInt64,
        new WatchMark(
            doc[StreamField].AsInt64,
            doc["from"].AsInt64,
            doc[ThroughField].AsInt64,
            doc[ClosedSinceField].IsInt64 ? RequestDocument.Utc(doc[ClosedSinceField]) : null,
            doc["ended"].AsBoolean));

    /// <summary>Records whose <see cref="WatchMark.Through"/> lies in <paramref name="span"/> (not empty).</summary>
    public static BsonExpression ThroughIn(RevisionSpan span) => Between(ThroughField, span.From, span.Until);

    /// <summary>The opening records of snapshots read at a revision in <paramref name="span"/> (not empty).</summary>
    public static BsonExpression SnapshotIn(RevisionSpan span) => Between(SnapshotAtField, span.From, span.Until);

    /// <summary>
    /// The opening records of snapshots whose closed window began at most <paramref name="widestWindow"/>
    /// before <paramref name="closeTime"/> and not after it: every snapshot that can have held a
    /// request closed then (its window ends no earlier than the close, and is no wider than that).
    /// </summary>
    public static BsonExpression ClosedSinceBetween(DateTimeOffset closeTime, TimeSpan widestWindow) =>
        BsonExpression.Create("$." + ClosedSinceField + " BETWEEN @0 AND @1",
            Math.Max(0, closeTime.UtcTicks - widestWindow.Ticks), closeTime.UtcTicks);

    public static BsonExpression OfStream(long stream) => BsonExpression.Create("$." + StreamField + " = @0", stream);

    /// <summary>Parameters, not text, for the reason given on <see cref="ChangeDocument.Between"/>; <paramref name="until"/> is exclusive.</summary>
    private static BsonExpression Between(string field, long from, long until) =>
        BsonExpression.Create("$." + field + " BETWEEN @0 AND @1", from, until - 1);
}

/// <summary>
/// What reading the stream index needs besides it, kept in the meta collection: the revision at
/// which audit records began carrying revisions, and the widest closed window any snapshot was
/// recorded with (how far before a request's close a snapshot holding it can have begun its window).
/// </summary>
/// <param name="RevisionsFrom">Changes at or below this revision may have records without a revision (written by an older version).</param>
/// <param name="WidestWindow">The largest <see cref="IWorkingSetSnapshot.ClosedUntil"/> - <see cref="IWorkingSetSnapshot.ClosedSince"/> recorded.</param>
internal sealed record WatchIndexState(long RevisionsFrom, TimeSpan WidestWindow)
{
    private const string Id = "watch_index";

    public static WatchIndexState? Read(ILiteCollection<BsonDocument> meta) =>
        meta.FindById(Id) is { } doc
            ? new WatchIndexState(doc["revisions_from"].AsInt64, TimeSpan.FromTicks(doc["widest_window"].AsInt64))
            : null;

    public void Write(ILiteCollection<BsonDocument> meta) => meta.Upsert(new BsonDocument
    {
        ["_id"] = Id,
        ["revisions_from"] = RevisionsFrom,
        ["widest_window"] = WidestWindow.Ticks,
    });
}
