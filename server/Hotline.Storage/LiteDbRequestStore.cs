using Hotline.Domain;
using LiteDB;
using LiteDB.Engine;
using Microsoft.Extensions.Logging;

namespace Hotline.Storage;

/// <summary>
/// The embedded request store: one LiteDB file in a data directory that only one server may use
/// at a time. Every mutation goes through a single writer thread that group-commits what is
/// waiting and flushes the data file before anyone is told "OK"; reads run on the caller's thread
/// against LiteDB's per-collection snapshots. Free text is sealed under a per-request data key
/// wrapped by the master key (<see cref="Vault"/>); every change and every read of sealed fields
/// appends to the audit chain through the writer. All members are safe to call from any thread.
/// </summary>
public sealed class LiteDbRequestStore : IRequestStore, IOperatorStore, IAuditTrail, IDisposable
{
    /// <summary>Requests purged per writer turn by a retention run, so intake never waits behind a long purge.</summary>
    public const int RetentionRoundSize = 200;

    // Parameterised predicates: LiteDB caches their compiled form (see RequesterIndex.CountEarlier).
    internal const string OpenStates = "$." + RequestDocument.StateField + " IN @0";
    internal const string ClosedSince = "$." + RequestDocument.CloseTimeField + " >= @0";
    private const string ByIds = "$._id IN @0";
    private const string AnyOpenKey = "$." + RequestDocument.OpenKeyField + " >= @0";
    private const string OpenKeyOnly = "$." + RequestDocument.OpenKeyField;
    internal const string IdOnly = "{ _id: $._id }";
    private const string IdAndCloseTime = "{ _id: $._id, closed: $." + RequestDocument.CloseTimeField + " }";

    internal static readonly BsonArray OpenStateValues =
        [(int)RequestState.New, (int)RequestState.Assigned, (int)RequestState.Waiting];

    private readonly LiteDatabase _database;
    private readonly DataDirectoryLock? _directoryLock;
    private readonly StoreSchema _schema;
    private readonly StoreWriter _writer;
    private readonly ReadGate _reads;
    /// <summary>Reads that walk many requests, within <see cref="_reads"/> (<see cref="RequestStoreOptions.MaxConcurrentScans"/>).</summary>
    private readonly ReadGate _scans;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _readPageBytes;
    private readonly Lock _disposeLock = new();
    private long _workingSetDocumentsRead;
    private long _listDocumentsRead;
    private long _workingSetRequestsOpened;
    private long _streamIndexRecordsRead;
    private bool _disposed;

    private LiteDbRequestStore(LiteDatabase database, DataDirectoryLock? directoryLock, StoreSchema schema, StoreWriter writer,
        StoreKeyVault vault, RequestStoreOptions options, TimeProvider time, ILogger logger)
    {
        _time = time;
        _logger = logger;
        _readPageBytes = options.ReadPageBytes;
        Vault = vault;
        _database = database;
        _directoryLock = directoryLock;
        _schema = schema;
        _writer = writer;
        _reads = new ReadGate(options.MaxConcurrentReads);
        _scans = new ReadGate(options.MaxConcurrentScans);
    }

    /// <summary>
    /// Opens (creating if needed) the store in <paramref name="dataDirectory"/>: the directory is
    /// made owner-only, its lock file is taken for the life of the store, and the database is
    /// checkpointed before anything is written.
    /// </summary>
    /// <param name="masterKey">
    /// The 32-byte master key, or null when it is not at hand: a locked installation opens without it
    /// (and stays locked until <see cref="StoreKeyVault.UnlockAsync"/>); any other refuses to. The store
    /// keeps only keys derived from it; the caller should erase its copy.
    /// </param>
    /// <exception cref="DataDirectoryInUseException">Another server or store holds the directory.</exception>
    /// <exception cref="MasterKeyException">The master key is missing or not the one the data was sealed with.</exception>
    public static LiteDbRequestStore Open(string dataDirectory, RequestStoreOptions options, TimeProvider timeProvider,
        IChangeListener changeListener, ILogger logger, byte[]? masterKey)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(changeListener);
        ArgumentNullException.ThrowIfNull(logger);
        options.Check();
        var (directory, tightened) = DataDirectory.Prepare(dataDirectory);
        if (tightened)
        {
            logger.DirectoryTightened(directory);
        }
        DataDirectoryLock directoryLock;
        try
        {
            directoryLock = DataDirectoryLock.Acquire(directory);
        }
        catch (DataDirectoryInUseException)
        {
            logger.DirectoryInUse(directory);
            throw;
        }
        try
        {
            // Direct: one process owns the file (the lock file makes sure). No Password: LiteDB's
            // encryption is AES-ECB without integrity. No AutoRebuild: it can fail on big indexed
            // collections and writes plaintext copies; damage must be seen, not silently repaired.
            // Binary collation: ids and intake keys compare case-sensitively, the same on every machine.
            var database = new LiteDatabase(new ConnectionString
            {
                Filename = Path.Combine(directory, DataDirectory.DatabaseFileName),
                Connection = ConnectionType.Direct,
                AutoRebuild = false,
                Collation = Collation.Binary,
            });
            return Start(database, directoryLock, directory, options, timeProvider, changeListener, logger, masterKey);
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the store on streams the caller owns (a MemoryStream for tests). No lock file:
    /// the caller makes sure nothing else uses the streams. A null <paramref name="logStream"/>
    /// keeps LiteDB's write-ahead log in memory.
    /// </summary>
    public static LiteDbRequestStore OpenOnStream(Stream dataStream, Stream? logStream, RequestStoreOptions options,
        TimeProvider timeProvider, IChangeListener changeListener, ILogger logger, byte[]? masterKey)
    {
        ArgumentNullException.ThrowIfNull(dataStream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(changeListener);
        ArgumentNullException.ThrowIfNull(logger);
        options.Check();
        var engine = new LiteEngine(new EngineSettings
        {
            DataStream = dataStream,
            LogStream = logStream,
            AutoRebuild = false,
            Collation = Collation.Binary,
        });
        return Start(new LiteDatabase(engine), directoryLock: null, "(stream)", options, timeProvider, changeListener, logger, masterKey);
    }

    public long CommittedRevision => _writer.CommittedRevision;

    /// <summary>Lockdown and unlock; the locked state is stored with the data.</summary>
    public StoreKeyVault Vault { get; }

    /// <summary>
    /// True once a disk failure left a transaction that could not be rolled back: writes are then
    /// refused with UNAVAILABLE until a restart recovers from the log; so are reads of request content, which need their audit record written. For health checks.
    /// </summary>
    public bool WritesFailed => _writer.Failed;

    /// <summary>Transactions the writer has committed with commands in them; for tests of group commit.</summary>
    internal long BatchCount => _writer.BatchCount;

    /// <summary>
    /// Documents of the requests collection that working-set reads have loaded, finding the set and
    /// reading its pages; for tests that this follows the working set, not the stored history.
    /// </summary>
    internal long WorkingSetDocumentsRead => Interlocked.Read(ref _workingSetDocumentsRead);

    /// <summary>
    /// Documents of the requests collection that ListRequests and ListRelatedRequests have loaded; for
    /// tests that a page costs in proportion to the page (or the open requests), not to the history.
    /// </summary>
    internal long ListDocumentsRead => Interlocked.Read(ref _listDocumentsRead);

    /// <summary>Requests that working-set pages have opened (decrypted); see <see cref="WorkingSetDocumentsRead"/>.</summary>
    internal long WorkingSetRequestsOpened => Interlocked.Read(ref _workingSetRequestsOpened);

    /// <summary>
    /// Documents of the stream index that reading requests' trails has loaded; for tests that a trail
    /// costs the streams around the request, not every stream ever recorded.
    /// </summary>
    internal long StreamIndexRecordsRead => Interlocked.Read(ref _streamIndexRecordsRead);

    public async Task<IntakeReceipt> SubmitAsync(NewHelpRequest submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        cancellationToken.ThrowIfCancellationRequested();
        return await Enqueue(new SubmitWrite(submission, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<HelpRequest> ExecuteAsync(string requestId, RequestCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentNullException.ThrowIfNull(command);
        command.Validate();
        if (!RequestIds.IsWellFormed(requestId))
        {
            DomainException.ThrowRequestNotFound(requestId);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return await Enqueue(new CommandWrite(requestId, command, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops changes older than the newest <see cref="RequestStoreOptions.ChangeLogRetention"/> from
    /// the change log, on the writer. The writer also does this by itself every
    /// <see cref="RequestStoreOptions.CompactionInterval"/> revisions.
    /// </summary>
    /// <returns>How many changes were dropped.</returns>
    public async Task<int> CompactAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await Enqueue(new PendingCompaction(cancellationToken)).ConfigureAwait(false);
    }

    public async Task<OperatorRecord> ExecuteAsync(OperatorCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        return await Enqueue(new OperatorWrite(command, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<OperatorRecord>> ReadOperatorsAsync(CancellationToken cancellationToken)
    {
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        return [.. _schema.Operators.FindAll().Select(OperatorDocument.FromBson).OrderBy(o => o.Id, StringComparer.Ordinal)];
    }

    public async Task<HelpRequest?> GetAsync(string requestId, string reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentException.ThrowIfNullOrEmpty(reader);
        HelpRequest? found;
        using (await _reads.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!RequestIds.IsWellFormed(requestId))
            {
                return null;
            }
            found = _schema.Requests.FindById(requestId) is { } doc ? OpenAll([doc]).SingleOrDefault() : null;
        }
        if (found is not null)
        {
            await AuditReadAsync(reader, AuditAction.Read, [found.Id], cancellationToken).ConfigureAwait(false);
        }
        return found;
    }

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
                // See ContactVisibility.SeesRepeatContacts: a submitter could otherwise look up anyone's history by their number.
                throw new DomainException(ErrorKind.PermissionDenied, ErrorReasons.OwnSubmission,
                    $"Related requests are not shown for requests/{requestId}: you submitted it yourself, and a submitter must not learn " +
                    "from it who contacted the hotline before. A colleague can open them.",
                    new Dictionary<string, string> { ["request"] = "requests/" + requestId });
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

    public Task<WatchLease> RecordWatchStartAsync(string reader, IWorkingSetSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reader);
        ArgumentNullException.ThrowIfNull(snapshot);
        var window = snapshot.ClosedUntil - snapshot.ClosedSince;
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        var opening = new WatchMark(0, snapshot.Revision, snapshot.Revision, snapshot.ClosedSince, Ended: false);
        return RecordWatchAsync(reader, AuditAction.Watched, opening, window, cancellationToken);
    }

    public Task<WatchLease> RecordWatchStartAsync(string reader, long fromRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        var opening = new WatchMark(0, fromRevision, fromRevision, SnapshotClosedSince: null, Ended: false);
        return RecordWatchAsync(reader, AuditAction.Watched, opening, window: null, cancellationToken);
    }

    public Task<WatchLease> RecordWatchProgressAsync(WatchLease lease, long through, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var progress = new WatchMark(lease.Stream, lease.FromRevision, Math.Max(through, lease.FromRevision), SnapshotClosedSince: null, Ended: false);
        return RecordWatchAsync(lease.Viewer, AuditAction.WatchProgressed, progress, window: null, cancellationToken);
    }

    public Task RecordWatchEndAsync(WatchLease lease, long through, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var end = new WatchMark(lease.Stream, lease.FromRevision, Math.Max(through, lease.FromRevision), SnapshotClosedSince: null, Ended: true);
        return RecordWatchAsync(lease.Viewer, AuditAction.WatchEnded, end, window: null, cancellationToken);
    }

    /// <summary>
    /// Finds the working set in one read transaction and returns it as ids only; the requests are
    /// read later, a page at a time, by <see cref="ReadUnchangedAsync"/>.
    /// </summary>
    /// <remarks>
    /// Why not one read snapshot held across all pages: LiteDB binds a transaction to the thread
    /// that began it, so it cannot be held across the awaits between pages (the stream waits for its
    /// client there), and an open transaction holds off the checkpoint the writer runs after every
    /// batch, so a slow watcher would stall every write. Instead the set is found at once, here,
    /// inside one explicit transaction that never leaves this synchronous call: LiteDB gives all
    /// reads of one collection within a transaction the same snapshot, so the revision watermark
    /// (kept in the requests collection for this reason, see <see cref="RevisionWatermark"/>) and
    /// both index lookups see the same commit. The lookups read only the clear <c>state</c> and
    /// <c>close_time</c> fields through their indexes: nothing is decrypted and no closed history is
    /// walked. Only the ids are kept, a few dozen bytes per request of the set. The revision R is the
    /// watermark's rather than the highest found on a request of the set: the set may be empty, and
    /// a start of 0 after compaction would send a watcher back for a fresh snapshot forever.
    /// Each page is then read by id, after R, and a request whose revision is above R is left out:
    /// it changed after R, and that change (revision &gt; R, carrying the whole request) reaches the
    /// watcher after the snapshot, because a watcher subscribes before R is read. Every request
    /// sent is therefore exactly as it was at R, and nothing is lost or sent twice. Data keys are
    /// read with each page: a request purged meanwhile has lost its key and is left out, which is
    /// what its DELETED change that follows would have done anyway.
    /// </remarks>
    public async Task<IWorkingSetSnapshot> ReadWorkingSetAsync(TimeSpan closedWithin, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(closedWithin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(closedWithin, WatchAudit.MaxClosedWindow);
        if (Vault.IsLocked)
        {
            throw DomainException.LockedDown(write: false);
        }
        var now = _time.GetUtcNow();
        using var scan = await _scans.EnterAsync(cancellationToken).ConfigureAwait(false);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        var (ids, revision, newestClose) = FindWorkingSet(now - closedWithin);
        return new WorkingSetSnapshot(this, ids, revision, now - closedWithin, newestClose > now ? newestClose : now);
    }

    /// <summary>
    /// The requests of a working-set page that are still as they were at <paramref name="revision"/>,
    /// opened: those changed since are left out (see <see cref="ReadWorkingSetAsync"/>). The page
    /// stops once it holds <see cref="RequestStoreOptions.ReadPageBytes"/> of sealed content;
    /// <c>Consumed</c> says how many of <paramref name="ids"/> it covered (at least one).
    /// </summary>
    internal async Task<(IReadOnlyList<HelpRequest> Requests, int Consumed)> ReadUnchangedAsync(ReadOnlyMemory<string> ids, long revision, CancellationToken cancellationToken)
    {
        using var scan = await _scans.EnterAsync(cancellationToken).ConfigureAwait(false);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        var idArray = new BsonArray(ids.Length);
        var positions = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        foreach (var id in ids.Span)
        {
            positions[id] = positions.Count;
            idArray.Add(id);
        }
        var found = _schema.Requests.Find(BsonExpression.Create(ByIds, idArray)).ToList();
        Interlocked.Add(ref _workingSetDocumentsRead, found.Count);
        found.Sort((a, b) => positions[a["_id"].AsString].CompareTo(positions[b["_id"].AsString]));
        var taken = CountWithinPageBytes(found);
        // Cut short, the page covers the ids up to its last document (those not found included); else all of them.
        var consumed = taken < found.Count ? positions[found[taken - 1]["_id"].AsString] + 1 : ids.Length;
        found.RemoveRange(taken, found.Count - taken);
        found.RemoveAll(doc => doc[RequestDocument.RevisionField].AsInt64 > revision);
        var opened = OpenAll(found);
        Interlocked.Add(ref _workingSetRequestsOpened, opened.Count);
        return (opened, consumed);
    }

    /// <summary>Roughly the bytes a document holds: its binary (sealed) and text values, 8 for anything else.</summary>
    private static long ApproximateSize(BsonValue value) => value.Type switch
    {
        BsonType.Binary => value.AsBinary.Length,
        BsonType.String => value.AsString.Length,
        BsonType.Document => value.AsDocument.Values.Sum(ApproximateSize),
        BsonType.Array => value.AsArray.Sum(ApproximateSize),
        _ => 8,
    };

    /// <summary>
    /// How many leading documents of <paramref name="docs"/> fit in <see cref="RequestStoreOptions.ReadPageBytes"/>:
    /// up to and including the one that reaches it, and at least one.
    /// </summary>
    private int CountWithinPageBytes(List<BsonDocument> docs)
    {
        long bytes = 0;
        for (var i = 0; i < docs.Count; i++)
        {
            bytes += ApproximateSize(docs[i]);
            if (bytes >= _readPageBytes)
            {
                return i + 1;
            }
        }
        return docs.Count;
    }

    /// <summary>
    /// Reads no further than <see cref="CommittedRevision"/>, so a replay never hands out a change
    /// the listener has not been told of yet, nor one that is not known to be on disk. Changes of a
    /// request being purged (its key already destroyed) are left out; its DELETED change follows.
    /// </summary>
    public async Task<ChangeReplay> ReadChangesAsync(long fromRevision, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        var from = Math.Max(fromRevision, 1);
        var upTo = CommittedRevision;
        var found = from > upTo || max == 0
            ? []
            : _schema.Changes.Find(ChangeDocument.Between(from, upTo), 0, max).ToList();
        var taken = CountWithinPageBytes(found);
        var readThrough = taken > 0 ? found[taken - 1]["_id"].AsInt64 : from - 1;
        // Cut short by size or by max, the replay may have more to read from readThrough + 1.
        var more = taken < found.Count || found.Count == max;
        var docs = found[..taken];
        var changes = new List<RequestChange>(docs.Count);
        if (docs.Count > 0)
        {
            using var keys = Vault.Enter(write: false);
            var earlier = new EarlierContactsCount(_schema.Requests);
            var sealers = new Dictionary<string, RequestSealer?>(StringComparer.Ordinal);
            try
            {
                foreach (var doc in docs)
                {
                    if (ChangeDocument.SealedRequest(doc) is not { } sealedRequest)
                    {
                        changes.Add(ChangeDocument.FromBson(doc, request: null));
                        continue;
                    }
                    var id = ChangeDocument.RequestId(doc);
                    if (!sealers.TryGetValue(id, out var sealer))
                    {
                        sealer = DataKeyDocument.OpenSealer(keys.Ring, id, _schema.Keys.FindById(id));
                        sealers[id] = sealer;
                    }
                    if (sealer is not null)
                    {
                        changes.Add(ChangeDocument.FromBson(doc, RequestDocument.FromBson(sealedRequest, sealer, earlier.Count(RequesterIndex.PrefixOf(sealedRequest), sealedRequest[RequestDocument.NumberField].AsInt64))));
                    }
                }
            }
            finally
            {
                foreach (var sealer in sealers.Values)
                {
                    sealer?.Dispose();
                }
            }
        }
        // Checked after the read: compaction raises this mark before its delete commits, so a run
        // that lost its start to a concurrent compaction is always caught here.
        if (from <= _writer.CompactedThrough)
        {
            return new ChangeReplay([], Compacted: true);
        }
        return new ChangeReplay(changes, Compacted: false) { More = more && readThrough < upTo, ReadThrough = readThrough };
    }

    public async Task<bool> PurgeAsync(string requestId, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        if (!RequestIds.IsWellFormed(requestId))
        {
            return false;
        }
        cancellationToken.ThrowIfCancellationRequested();
        return await Enqueue(PendingPurge.One(requestId, actor, cancellationToken)).ConfigureAwait(false) > 0;
    }

    /// <summary>Purges in rounds of <see cref="RetentionRoundSize"/>, each its own turn on the writer.</summary>
    public async Task<int> PurgeClosedBeforeAsync(DateTimeOffset closedBefore, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        var total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var purged = await Enqueue(PendingPurge.ClosedBefore(closedBefore, actor, RetentionRoundSize, cancellationToken)).ConfigureAwait(false);
            total += purged;
            if (purged < RetentionRoundSize)
            {
                return total;
            }
        }
    }

    public async Task<RequestOutline?> OutlineAsync(string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!RequestIds.IsWellFormed(requestId) || _schema.Requests.FindById(requestId) is not { } doc || RevisionWatermark.Is(doc))
        {
            return null;
        }
        var envelope = RequestDocument.Envelope(doc);
        return new RequestOutline(envelope.Id, envelope.Number, envelope.State, envelope.CreateTime, envelope.CloseTime, envelope.Assignee);
    }

    public async Task<int> CountClosedBeforeAsync(DateTimeOffset closedBefore, CancellationToken cancellationToken)
    {
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        return PendingPurge.FindClosedBefore(_schema, closedBefore).Count();
    }

    public async Task<AuditPage> ListAuditAsync(string? requestId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        List<AuditRecord> records;
        if (requestId is null)
        {
            records = [.. _schema.Audit.Find(BsonExpression.Create("_id > @0", afterSequence), 0, limit + 1).Select(AuditDocument.FromBson)];
        }
        else
        {
            var own = _schema.Audit.Find(BsonExpression.Create(AuditDocument.NamesRequest, requestId)).Select(AuditDocument.FromBson).ToList();
            records = [.. own.Concat(StreamsThatCouldHaveSent(own))
                .Where(r => r.Sequence > afterSequence)
                .OrderBy(r => r.Sequence)
                .Take(limit + 1)];
        }
        if (records.Count <= limit)
        {
            return new AuditPage(records, null);
        }
        records.RemoveAt(records.Count - 1);
        return new AuditPage(records, records[^1].Sequence);
    }

    public async Task<AuditVerification> VerifyAuditAsync(CancellationToken cancellationToken)
    {
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        using var keys = Vault.Enter(write: false);
        // The head first: records committed after it only make the chain longer, never shorter.
        var head = StoreCounters.Read(_schema.Meta);
        return AuditChain.Verify(keys.Ring, AuditInOrder().Select(AuditDocument.ToStored), head.AuditSequence, head.AuditHead,
            cancellationToken);
    }

    public async Task<AuditVerification> VerifyAuditAsync(ReadOnlyMemory<byte> masterKey, CancellationToken cancellationToken)
    {
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        using var ring = Vault.Verify(masterKey.Span);
        var head = StoreCounters.Read(_schema.Meta);
        var awaiting = DeferredAccountAudit.Count(_schema.Meta);
        var verification = AuditChain.Verify(ring, AuditInOrder().Select(AuditDocument.ToStored), head.AuditSequence,
            head.AuditHead, cancellationToken);
        return verification with { AccountChangesAwaitingUnlock = awaiting };
    }

    /// <summary>
    /// The WATCHED records of the streams that could have sent the request whose own records are
    /// <paramref name="own"/> (see <see cref="StreamExposure"/>), each with how far it got. Three kinds of
    /// index range over the stream index, never the chain: the records with <see cref="WatchMark.Through"/>
    /// within <see cref="WatchAudit.RevisionsPerRecord"/> below each change (the streams running
    /// then); the snapshots read at a revision while the request was open; and the snapshots whose
    /// closed window began at most the widest window recorded before one of its closes. So the cost
    /// follows the request's own records and the streams around them, not the length of the trail.
    /// Synchronous: LiteDB enumerators belong to their thread.
    /// </summary>
    private List<AuditRecord> StreamsThatCouldHaveSent(IReadOnlyList<AuditRecord> own)
    {
        if (own.Count == 0 || WatchIndexState.Read(_schema.Meta) is not { } index)
        {
            return [];
        }
        var exposure = StreamExposure.Of(own, index.RevisionsFrom);
        var streams = new HashSet<long>();
        var around = new Dictionary<long, List<(long Sequence, WatchMark Mark)>>();
        var read = 0;
        foreach (var span in exposure.MarkRangesForChanges())
        {
            foreach (var doc in _schema.Watches.Find(WatchDocument.ThroughIn(span)))
            {
                read++;
                var (sequence, mark) = WatchDocument.FromBson(doc);
                if (!around.TryGetValue(mark.Stream, out var records))
                {
                    around[mark.Stream] = records = [];
                }
                records.Add((sequence, mark));
            }
        }
        streams.UnionWith(around.Where(stream => exposure.CouldHaveSent(stream.Value)).Select(stream => stream.Key));
        var snapshots = exposure.OpenSpans
            .Where(span => span.From < span.Until)
            .SelectMany(span => _schema.Watches.Find(WatchDocument.SnapshotIn(span)))
            .Concat(exposure.ClosedSpans.SelectMany(span =>
                _schema.Watches.Find(WatchDocument.ClosedSinceBetween(span.CloseTime, index.WidestWindow))));
        foreach (var doc in snapshots)
        {
            read++;
            var (sequence, mark) = WatchDocument.FromBson(doc);
            if (mark.SnapshotClosedSince is { } closedSince && exposure.InSnapshot(sequence, mark.FromRevision, closedSince))
            {
                streams.Add(sequence);
            }
        }
        var opened = new List<AuditRecord>(streams.Count);
        foreach (var stream in streams)
        {
            // Shown from the chain: the opening record, and the stream's newest one for how far it got.
            var records = _schema.Watches.Find(WatchDocument.OfStream(stream)).Select(d => d["_id"].AsInt64).ToList();
            read += records.Count;
            if (_schema.Audit.FindById(stream) is { } opening && _schema.Audit.FindById(records.Max()) is { } latest)
            {
                opened.Add(AuditDocument.FromBson(opening) with { Reached = AuditDocument.FromBson(latest).Watch });
            }
        }
        Interlocked.Add(ref _streamIndexRecordsRead, read);
        return opened;
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
                if (!RevisionWatermark.Is(doc) && RequestDocument.Envelope(doc) is var envelope && query.Matches(envelope))
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
                if (RevisionWatermark.Is(doc))
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

    /// <summary>
    /// Every audit record in sequence order, read in chunks that are each their own query. One query
    /// over the whole trail would hold every page it read in one snapshot, and LiteDB's page cache,
    /// which grows to the most pages ever held at once and never shrinks, would keep the size of the
    /// whole trail in memory for the life of the process. Records are only ever appended, so the
    /// chunks join into the chain as it was when the head was read, plus anything appended since.
    /// </summary>
    private IEnumerable<BsonDocument> AuditInOrder()
    {
        const int Chunk = 1_000;
        var after = long.MinValue;
        while (true)
        {
            var chunk = _schema.Audit.Find(BsonExpression.Create("_id > @0", after), 0, Chunk).ToList();
            foreach (var doc in chunk)
            {
                yield return doc;
            }
            if (chunk.Count < Chunk)
            {
                yield break;
            }
            after = chunk[^1]["_id"].AsInt64;
        }
    }

    /// <summary>
    /// The ids of the working set, ordered, and the revision they reflect, all read in one LiteDB
    /// transaction so they come from one snapshot (see <see cref="ReadWorkingSetAsync"/>). Must stay
    /// synchronous: the transaction belongs to this thread.
    /// </summary>
    private (string[] Ids, long Revision, DateTimeOffset NewestClose) FindWorkingSet(DateTimeOffset closedSince)
    {
        if (!_database.BeginTrans())
        {
            throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
        }
        try
        {
            var read = 0;
            var revision = 0L;
            if (_schema.Requests.FindById(RevisionWatermark.Id) is { } watermark)
            {
                read++;
                revision = RevisionWatermark.Revision(watermark);
            }
            var ids = new HashSet<string>(StringComparer.Ordinal);
            // Selecting the id alone loads each matching document's id and the indexed field, nothing else.
            foreach (var doc in _schema.Requests.Query().Where(OpenStates, OpenStateValues).Select(IdOnly).ToDocuments())
            {
                read++;
                ids.Add(doc["_id"].AsString);
            }
            // Open requests have no close time (a reopen clears it); the index keeps their nulls below every number.
            var newestClose = closedSince.UtcTicks;
            foreach (var doc in _schema.Requests.Query().Where(ClosedSince, closedSince.UtcTicks).Select(IdAndCloseTime).ToDocuments())
            {
                read++;
                ids.Add(doc["_id"].AsString);
                newestClose = Math.Max(newestClose, doc["closed"].AsInt64);
            }
            Interlocked.Add(ref _workingSetDocumentsRead, read);
            var ordered = ids.ToArray();
            Array.Sort(ordered, StringComparer.Ordinal);
            return (ordered, revision, new DateTimeOffset(newestClose, TimeSpan.Zero));
        }
        finally
        {
            _database.Rollback();
        }
    }

    /// <summary>
    /// Refuses new writes (UNAVAILABLE, SHUTTING_DOWN), finishes every write already queued,
    /// waits for reads in flight, checkpoints, closes the database and releases the lock file.
    /// After a disk failure (<see cref="WritesFailed"/>) the database and the lock are kept open
    /// until the process exits instead (see <see cref="BrokenDatabases"/>).
    /// Safe to call more than once; must not be called from a change listener.
    /// </summary>
    public void Dispose()
    {
        lock (_disposeLock)
        {
            if (_disposed)
            {
                return;
            }
            _writer.Stop();
            _reads.Close();
            if (_writer.Failed)
            {
                BrokenDatabases.Keep(_database, _directoryLock);
                _logger.KeptBrokenDatabase();
            }
            else
            {
                _database.Dispose();
                _directoryLock?.Dispose();
            }
            Vault.Dispose();
            _disposed = true;
        }
    }

    private static LiteDbRequestStore Start(LiteDatabase database, DataDirectoryLock? directoryLock, string location,
        RequestStoreOptions options, TimeProvider timeProvider, IChangeListener changeListener, ILogger logger, byte[]? masterKey)
    {
        StoreKeyVault? vault = null;
        try
        {
            // Before any write: LiteDB 5.0.21 restores its next transaction id from the last page of
            // the log, not the highest, and a write made on top of such a log can hide committed
            // transactions for good. A checkpoint folds the log into the data file and empties it.
            database.Checkpoint();
            var schema = new StoreSchema(database);
            vault = OpenVault(schema, masterKey, logger);
            schema.EnsureIndexes();
            if (WatchIndexState.Read(schema.Meta) is null)
            {
                // Changes up to now were audited without their revision (or there are none yet).
                new WatchIndexState(StoreCounters.Read(schema.Meta).LastRevision, TimeSpan.Zero).Write(schema.Meta);
            }
            database.Checkpoint();
            var counters = StoreCounters.Read(schema.Meta);
            var writer = new StoreWriter(database, schema, counters, options, timeProvider, changeListener, vault, logger);
            writer.Start();
            var store = new LiteDbRequestStore(database, directoryLock, schema, writer, vault, options, timeProvider, logger);
            vault.ConnectWriter((locked, actor) => store.Enqueue(new LockStateWrite(locked, actor)));
            store.FinishInterruptedPurges();
            logger.Opened(location, counters.LastRevision, counters.NextNumber, counters.CompactedThrough);
            return store;
        }
        catch
        {
            vault?.Dispose();
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks the master key against the key-check value (making one for a new data directory) and
    /// opens the vault, locked if the installation was left locked.
    /// </summary>
    private static StoreKeyVault OpenVault(StoreSchema schema, byte[]? masterKey, ILogger logger)
    {
        var security = SecurityDocument.Read(schema.Meta);
        if (security is null)
        {
            if (schema.Requests.Count() > 0 || schema.Changes.Count() > 0)
            {
                throw MasterKeyException.UnencryptedData();
            }
            var fresh = StoreKeyVault.DeriveRing(masterKey ?? throw MasterKeyException.Missing());
            new SecurityDocument(fresh.NewKeyCheck(), Locked: false).Write(schema.Meta);
            logger.KeyCheckCreated();
            return new StoreKeyVault(SecurityDocument.Read(schema.Meta)!.KeyCheck, fresh);
        }
        KeyRing? ring = null;
        if (masterKey is not null)
        {
            ring = StoreKeyVault.DeriveRing(masterKey);
            if (!ring.Opens(security.KeyCheck))
            {
                ring.Dispose();
                throw MasterKeyException.Mismatch();
            }
        }
        if (security.Locked)
        {
            // The right key was offered, but a lockdown is lifted only by an admin's explicit unlock.
            ring?.Dispose();
            logger.OpenedLocked();
            return new StoreKeyVault(security.KeyCheck, ring: null);
        }
        return new StoreKeyVault(security.KeyCheck, ring ?? throw MasterKeyException.Missing());
    }

    /// <summary>A purge cut short between its two transactions left requests without keys; remove them now.</summary>
    private void FinishInterruptedPurges()
    {
        var unfinished = PurgeInProgress.Read(_schema.Meta);
        if (unfinished.Count == 0)
        {
            return;
        }
        _logger.FinishingPurges(unfinished.Count);
        try
        {
            Enqueue(PendingPurge.Unfinished()).GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            _logger.FinishingPurgesFailed(ex);
        }
    }

    /// <summary>
    /// Opens each document under its data key, in order, leaving out those whose key is gone (being
    /// purged). Holds the vault's keys only for the time it takes: a lockdown waits for it, then erases them.
    /// </summary>
    private List<HelpRequest> OpenAll(IReadOnlyList<BsonDocument> docs)
    {
        var opened = new List<HelpRequest>(docs.Count);
        if (docs.Count == 0)
        {
            return opened;
        }
        using var keys = Vault.Enter(write: false);
        // One counter for the call: its expressions are parsed once, not once per request.
        var earlier = new EarlierContactsCount(_schema.Requests);
        // Many documents: their keys in one query by id, never every key in the store (a page costs a page).
        var wrapped = docs.Count > 64
            ? _schema.Keys.Find(BsonExpression.Create(ByIds, new BsonArray(docs.Select(d => d["_id"]))))
                .ToDictionary(d => d["_id"].AsString, StringComparer.Ordinal)
            : null;
        foreach (var doc in docs)
        {
            var id = doc["_id"].AsString;
            var keyDoc = wrapped is null ? _schema.Keys.FindById(id) : wrapped.GetValueOrDefault(id);
            using var sealer = DataKeyDocument.OpenSealer(keys.Ring, id, keyDoc);
            if (sealer is not null)
            {
                opened.Add(RequestDocument.FromBson(doc, sealer, earlier.Of(doc)));
            }
        }
        return opened;
    }

    /// <summary>A watch stream's record, refused while locked as the read it stands for.</summary>
    private async Task<WatchLease> RecordWatchAsync(string viewer, AuditAction action, WatchMark mark, TimeSpan? window,
        CancellationToken cancellationToken)
    {
        if (Vault.IsLocked)
        {
            throw DomainException.LockedDown(write: false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return await Enqueue(new WatchRecordWrite(viewer, action, mark, window, cancellationToken)).ConfigureAwait(false);
    }

    private async Task AuditReadAsync(string reader, AuditAction action, IReadOnlyList<string> requestIds, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await Enqueue(new AuditedReadWrite(reader, action, requestIds, cancellationToken)).ConfigureAwait(false);
    }

    private async Task<TResult> Enqueue<TResult>(PendingWrite<TResult> write)
    {
        try
        {
            _writer.Enqueue(write);
        }
        catch
        {
            write.Withdraw();
            throw;
        }
        return await write.Task.ConfigureAwait(false);
    }
}

/// <summary>A request found for a list page, not yet opened, and where it stands in the list's order.</summary>
internal readonly record struct ListedRow(ListPosition Position, BsonDocument Doc);

/// <summary>A list page found but not yet opened.</summary>
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
