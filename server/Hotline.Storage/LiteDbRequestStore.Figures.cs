using System.Runtime.CompilerServices;
using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

// Supervision figures and the monitoring report: read through the indexes on clear fields.
public sealed partial class LiteDbRequestStore : IRequestFigures
{
    private const string CreatedSince = "$." + RequestDocument.CreateTimeField + " >= @0";
    internal const string FirstClaimedSince = RequestDocument.FirstClaimTimeKey + " ANY >= @0";
    private const string CreateAndFirstClaim =
        "{ c: $." + RequestDocument.CreateTimeField + ", f: $." + RequestDocument.FirstClaimTimeField + " }";
    private const string CreatedWithin = "$." + RequestDocument.CreateTimeField + " >= @0 AND $." + RequestDocument.CreateTimeField + " < @1";

    /// <summary>
    /// The open requests from the open-key index's keys (no document loaded), and counts since
    /// <paramref name="dayStart"/> through the create, close and first-claim time indexes: it costs
    /// the open set and the day's traffic, never the closed history. One read transaction, so
    /// every figure is as of one snapshot. Reads nothing sealed, so it works during a lockdown.
    /// </summary>
    public async Task<QueueFacts> ReadQueueAsync(DateTimeOffset dayStart, CancellationToken cancellationToken)
    {
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        return ReadQueueInOneTransaction(dayStart);
    }

    private QueueFacts ReadQueueInOneTransaction(DateTimeOffset dayStart)
    {
        if (!_database.BeginTrans())
        {
            throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
        }
        try
        {
            var open = new List<OpenRequestFacts>();
            foreach (var key in _schema.Requests.Query().Where(AnyOpenKey, "").Select(OpenKeyOnly).ToDocuments())
            {
                open.Add(RequestDocument.OpenFacts(key[RequestDocument.OpenKeyField].AsString));
            }
            var since = dayStart.UtcTicks;
            var received = _schema.Requests.Count(BsonExpression.Create(CreatedSince, since));
            var closed = _schema.Requests.Count(BsonExpression.Create(ClosedSince, since));
            var times = new List<TimeSpan>();
            foreach (var doc in _schema.Requests.Query().Where(FirstClaimedSince, since).Select(CreateAndFirstClaim).ToDocuments())
            {
                times.Add(TimeSpan.FromTicks(Math.Max(0, doc["f"].AsInt64 - doc["c"].AsInt64)));
            }
            return new QueueFacts(open, dayStart, received, closed, times);
        }
        finally
        {
            _database.Rollback();
        }
    }

    /// <summary>
    /// Walks the create-time index from <paramref name="from"/> a batch at a time (keyset on the
    /// create time; requests sharing the batch's last tick are told apart by id), opening each
    /// request's region and tags under its data key and nothing else. A request purged between
    /// batches is left out. Within the read and scan gates, one batch at a time.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<ReportFacts>> ReadReportFactsAsync(DateTimeOffset from, DateTimeOffset until, int batchSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var next = from.UtcTicks;
        var seenAtNext = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            IReadOnlyList<ReportFacts> batch;
            using (await _scans.EnterAsync(cancellationToken).ConfigureAwait(false))
            using (await _reads.EnterAsync(cancellationToken).ConfigureAwait(false))
            {
                if (Vault.IsLocked)
                {
                    throw DomainException.LockedDown(write: false);
                }
                var docs = _schema.Requests.Query()
                    .Where(BsonExpression.Create(CreatedWithin, next, until.UtcTicks))
                    .OrderBy("$." + RequestDocument.CreateTimeField)
                    .Limit(batchSize + seenAtNext.Count)
                    .ToList();
                var fresh = docs.Where(d => !(d[RequestDocument.CreateTimeField].AsInt64 == next && seenAtNext.Contains(d["_id"].AsString))).ToList();
                if (fresh.Count == 0)
                {
                    yield break;
                }
                var last = fresh[^1][RequestDocument.CreateTimeField].AsInt64;
                if (last != next)
                {
                    seenAtNext.Clear();
                    next = last;
                }
                foreach (var doc in fresh.Where(d => d[RequestDocument.CreateTimeField].AsInt64 == last))
                {
                    seenAtNext.Add(doc["_id"].AsString);
                }
                batch = OpenReportFacts(fresh);
            }
            if (batch.Count > 0)
            {
                yield return batch;
            }
        }
    }

    public Task RecordReportAsync(string reader, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reader);
        return AuditReadAsync(reader, AuditAction.Reported, [], cancellationToken);
    }

    private List<ReportFacts> OpenReportFacts(IReadOnlyList<BsonDocument> docs)
    {
        using var keys = Vault.Enter(write: false);
        var wrapped = _schema.Keys.Find(BsonExpression.Create(ByIds, new BsonArray(docs.Select(d => d["_id"]))))
            .ToDictionary(d => d["_id"].AsString, StringComparer.Ordinal);
        var facts = new List<ReportFacts>(docs.Count);
        foreach (var doc in docs)
        {
            var id = doc["_id"].AsString;
            using var sealer = DataKeyDocument.OpenSealer(keys.Ring, id, wrapped.GetValueOrDefault(id));
            if (sealer is null)
            {
                continue;
            }
            var envelope = RequestDocument.Envelope(doc);
            facts.Add(new ReportFacts(envelope.CreateTime, RequestDocument.OpenRegion(doc, sealer), RequestDocument.OpenTags(doc, sealer),
                envelope.Channel, envelope.Urgency, envelope.State == RequestState.Closed ? envelope.Resolution : Resolution.Unspecified));
        }
        return facts;
    }
}
