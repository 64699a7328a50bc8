using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

// List pages: found on the fields stored in the clear, then only the page is opened.
public sealed partial class LiteDbRequestStore
{
    /// <summary>
    /// Finds the page on the fields stored in the clear, then opens (and reads the data keys of)
    /// only the requests on it. How the page is found, so that it costs the page, not the history:
    /// <list type="bullet">
    /// <item>A filter that keeps only open states (NEW, ASSIGNED, WAITING) reads those requests
    /// through the state index and sorts them in memory: they are the working set, which a watch
    /// snapshot reads whole anyway, so this costs the same at 1,000 or 1,000,000 closed requests,
    /// works for every order, and counts <see cref="RequestPage.TotalSize"/> exactly as it goes.
    /// Walking an order index instead would pass every closed request lying between two open ones.</item>
    /// <item>Otherwise, an order offered by a <see cref="ListWalk"/> walks its index from the page
    /// token's position, filters on the other clear fields as it goes and stops once the page and one
    /// more are found. The total is counted only when that walk saw every match (a first page that is
    /// also the last); counting more would read every match.</item>
    /// <item>Any other order with such a filter reads and sorts every candidate, as a full sort must
    /// (the only path whose cost grows with the history; it counts exactly).</item>
    /// </list>
    /// </summary>
    public async Task<RequestPage> ListAsync(RequestQuery query, string reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(reader);
        RequestPage page;
        using (await _scans.EnterAsync(cancellationToken).ConfigureAwait(false))
        using (await _reads.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            var revision = CommittedRevision;
            var found = FindPage(query);
            page = new RequestPage(OpenAll(found.Docs), found.Total, revision, found.Next);
        }
        await AuditReadAsync(reader, AuditAction.Listed, [.. page.Requests.Select(r => r.Id)], cancellationToken).ConfigureAwait(false);
        return page;
    }

    /// <summary>
    /// The other requests of the requester, newest first, read through the requester index from
    /// below <paramref name="beforeNumber"/>: a page and one more key, then only the page's documents.
    /// The total is counted from that index's keys alone, without reading documents: in proportion to
    /// this requester's contacts, never to the store.
    /// </summary>
    public async Task<RequestPage> ListRelatedAsync(string requestId, string reader, long? beforeNumber, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentException.ThrowIfNullOrEmpty(reader);
        RequestPage page;
        using (await _scans.EnterAsync(cancellationToken).ConfigureAwait(false))
        using (await _reads.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            var revision = CommittedRevision;
            if (!RequestIds.IsWellFormed(requestId) || _schema.Requests.FindById(requestId) is not { } doc || _schema.Keys.FindById(requestId) is null)
            {
                DomainException.ThrowRequestNotFound(requestId);
                return null!;
            }
            if (string.Equals(doc["submitted_by"].AsString, reader, StringComparison.Ordinal))
            {
                throw DomainException.OwnSubmission(requestId);
            }
            limit = Math.Max(limit, 0);
            var (numbers, total) = RequesterIndex.PrefixOf(doc) is { } prefix
                ? RequesterIndex.Related(_schema.Requests, prefix, doc[RequestDocument.NumberField].AsInt64, beforeNumber, limit)
                : ([], 0);
            var pageNumbers = numbers.Take(limit).ToList();
            // One parameterised lookup per number: a Query.In over varying numbers would compile (and keep) a new expression per call.
            var onPage = pageNumbers
                .Select(n => _schema.Requests.FindOne(BsonExpression.Create("$." + RequestDocument.NumberField + " = @0", n)))
                .Where(d => d is not null)
                .ToList();
            Interlocked.Add(ref _listDocumentsRead, 1 + onPage.Count);
            ListPosition? next = numbers.Count > limit && pageNumbers.Count > 0
                ? new ListPosition(Urgency.Unspecified, default, default, pageNumbers[^1])
                : null;
            page = new RequestPage(OpenAll(onPage), total, revision, next);
        }
        await AuditReadAsync(reader, AuditAction.Listed, [.. page.Requests.Select(r => r.Id)], cancellationToken).ConfigureAwait(false);
        return page;
    }

    /// <summary>Chooses how to find a page (see <see cref="ListAsync"/>). Synchronous: LiteDB enumerators belong to their thread.</summary>
    private ListedPage FindPage(RequestQuery query)
    {
        var limit = Math.Max(query.Limit, 0);
        var states = query.PossibleStates();
        if (states is { Count: 0 })
        {
            return new ListedPage([], 0, null);
        }
        if (states is not null && states.All(s => OpenStateValues.Contains((int)s)))
        {
            return ListOpen(query, limit);
        }
        return ListWalk.For(query.Order) is { } walk
            ? Walk(query, limit, walk)
            : SortInMemory(query, limit, _schema.Requests.FindAll());
    }

    /// <summary>
    /// A list that can only match open requests: filtered and sorted on the open-key index's keys
    /// (<see cref="RequestDocument.OpenKey"/>), which hold every field a list needs, then only the
    /// page's documents are loaded. Keys and documents come from one read transaction, so the page
    /// is as of one snapshot. Must stay synchronous: the transaction belongs to this thread.
    /// </summary>
    private ListedPage ListOpen(RequestQuery query, int limit)
    {
        if (!_database.BeginTrans())
        {
            throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
        }
        try
        {
            var matches = new List<(ListPosition Position, string Id)>();
            foreach (var key in _schema.Requests.Query().Where(AnyOpenKey, "").Select(OpenKeyOnly).ToDocuments())
            {
                var envelope = RequestDocument.FromOpenKey(key[RequestDocument.OpenKeyField].AsString);
                if (query.Matches(envelope))
                {
                    matches.Add((ListPosition.Of(envelope), envelope.Id));
                }
            }
            matches.Sort((a, b) => query.Compare(a.Position, b.Position));
            var start = 0;
            if (query.After is { } after)
            {
                while (start < matches.Count && query.Compare(matches[start].Position, after) <= 0)
                {
                    start++;
                }
            }
            var rows = new List<ListedRow>();
            foreach (var (position, id) in matches.Skip(start).Take(limit + 1))
            {
                // Within the snapshot the keys came from: the document is there, as the key describes it.
                rows.Add(new ListedRow(position, _schema.Requests.FindById(id)));
            }
            Interlocked.Add(ref _listDocumentsRead, rows.Count);
            return ListedPage.Of(rows, limit, matches.Count);
        }
        finally
        {
            _database.Rollback();
        }
    }

    private ListedPage SortInMemory(RequestQuery query, int limit, IEnumerable<BsonDocument> candidates)
    {
        var matches = new List<ListedRow>();
        var read = 0;
        try
        {
            foreach (var doc in candidates)
            {
                read++;
                if (RevisionWatermark.IsRequest(doc) && RequestDocument.Envelope(doc) is var envelope && query.Matches(envelope))
                {
                    matches.Add(new ListedRow(ListPosition.Of(envelope), doc));
                }
            }
        }
        finally
        {
            Interlocked.Add(ref _listDocumentsRead, read);
        }
        matches.Sort((a, b) => query.Compare(a.Position, b.Position));
        var start = 0;
        if (query.After is { } after)
        {
            while (start < matches.Count && query.Compare(matches[start].Position, after) <= 0)
            {
                start++;
            }
        }
        return ListedPage.Of(matches.Skip(start).Take(limit + 1).ToList(), limit, matches.Count);
    }

    /// <summary>
    /// Walks <paramref name="walk"/>'s index from the token's position until it holds the page, one
    /// more, and the rest of that last one's tie group (see <see cref="ListWalk"/>).
    /// </summary>
    private ListedPage Walk(RequestQuery query, int limit, ListWalk walk)
    {
        var taken = new List<ListedRow>();
        BsonValue? boundary = null;
        var read = 0;
        try
        {
            foreach (var doc in walk.Documents(_schema.Requests, query.After))
            {
                read++;
                if (!RevisionWatermark.IsRequest(doc))
                {
                    continue;
                }
                var key = walk.KeyOf(doc);
                if (boundary is not null && !key.Equals(boundary))
                {
                    break;
                }
                var envelope = RequestDocument.Envelope(doc);
                var position = ListPosition.Of(envelope);
                if ((query.After is { } after && query.Compare(position, after) <= 0) || !query.Matches(envelope))
                {
                    continue;
                }
                taken.Add(new ListedRow(position, doc));
                if (taken.Count == limit + 1)
                {
                    boundary = key;
                }
            }
        }
        finally
        {
            Interlocked.Add(ref _listDocumentsRead, read);
        }
        taken.Sort((a, b) => query.Compare(a.Position, b.Position));
        var complete = query.After is null && taken.Count <= limit;
        return ListedPage.Of(taken, limit, complete ? taken.Count : null);
    }
}


// A request found for a list page, not yet opened, and where it stands in the list's order.
internal readonly record struct ListedRow(ListPosition Position, BsonDocument Doc);

// A list page found but not yet opened.
internal sealed record ListedPage(IReadOnlyList<BsonDocument> Docs, int? Total, ListPosition? Next)
{
    /// <param name="rows">The rows from the page's start, in order: the page and, when there is a next page, at least one more.</param>
    public static ListedPage Of(IReadOnlyList<ListedRow> rows, int limit, int? total)
    {
        var onPage = rows.Take(limit).ToList();
        // No position to start from when the page is empty (a page size of 0): such a page has no next.
        ListPosition? next = rows.Count > limit && onPage.Count > 0 ? onPage[^1].Position : null;
        return new ListedPage([.. onPage.Select(r => r.Doc)], total, next);
    }
}
