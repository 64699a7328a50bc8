using Hotline.Domain;
using LiteDB;
using LiteDB.Engine;
using Microsoft.Extensions.Logging;

namespace Hotline.Storage;

/// <summary>
/// The embedded request store: one LiteDB file in a data directory that only one server may use
/// at a time. Every mutation goes through a single writer thread that group-commits what is
/// waiting and flushes the data file before anyone is told "OK"; reads run on the caller's thread
/// against LiteDB's per-collection snapshots. All members are safe to call from any thread.
/// </summary>
public sealed class LiteDbRequestStore : IRequestStore, IOperatorStore, IDisposable
{
    private readonly LiteDatabase _database;
    private readonly DataDirectoryLock? _directoryLock;
    private readonly StoreSchema _schema;
    private readonly StoreWriter _writer;
    private readonly ReadGate _reads;
    private readonly ILogger _logger;
    private readonly Lock _disposeLock = new();
    private bool _disposed;

    private LiteDbRequestStore(LiteDatabase database, DataDirectoryLock? directoryLock, StoreSchema schema, StoreWriter writer,
        RequestStoreOptions options, ILogger logger)
    {
        _logger = logger;
        _database = database;
        _directoryLock = directoryLock;
        _schema = schema;
        _writer = writer;
        _reads = new ReadGate(options.MaxConcurrentReads);
    }

    /// <summary>
    /// Opens (creating if needed) the store in <paramref name="dataDirectory"/>: the directory is
    /// made owner-only, its lock file is taken for the life of the store, and the database is
    /// checkpointed before anything is written.
    /// </summary>
    /// <exception cref="DataDirectoryInUseException">Another server or store holds the directory.</exception>
    public static LiteDbRequestStore Open(string dataDirectory, RequestStoreOptions options, TimeProvider timeProvider,
        IChangeListener changeListener, ILogger logger)
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
            return Start(database, directoryLock, directory, options, timeProvider, changeListener, logger);
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
        TimeProvider timeProvider, IChangeListener changeListener, ILogger logger)
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
        return Start(new LiteDatabase(engine), directoryLock: null, "(stream)", options, timeProvider, changeListener, logger);
    }

    public long CommittedRevision => _writer.CommittedRevision;

    /// <summary>
    /// True once a disk failure left a transaction that could not be rolled back: writes are then
    /// refused with UNAVAILABLE until a restart recovers from the log. Reads keep working. For health checks.
    /// </summary>
    public bool WritesFailed => _writer.Failed;

    /// <summary>Transactions the writer has committed with commands in them; for tests of group commit.</summary>
    internal long BatchCount => _writer.BatchCount;

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

    public async Task<HelpRequest?> GetAsync(string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!RequestIds.IsWellFormed(requestId))
        {
            return null;
        }
        return _schema.Requests.FindById(requestId) is { } doc ? RequestDocument.FromBson(doc) : null;
    }

    public async Task<RequestPage> ListAsync(RequestQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        var revision = CommittedRevision;
        var states = query.PossibleStates();
        IEnumerable<BsonDocument> candidates = states switch
        {
            null => _schema.Requests.FindAll(),
            { Count: 0 } => [],
            _ => _schema.Requests.Find(Query.In(RequestDocument.StateField, new BsonArray(states.Select(s => new BsonValue((int)s))))),
        };
        var matches = candidates
            .Where(doc => !RevisionWatermark.Is(doc))
            .Select(RequestDocument.FromBson)
            .Where(query.Matches)
            .ToList();
        matches.Sort(query.Compare);
        var page = matches.Skip(Math.Max(query.Offset, 0)).Take(Math.Max(query.Limit, 0)).ToList();
        return new RequestPage(page, matches.Count, revision);
    }

    /// <summary>
    /// One read of the requests collection, which LiteDB serves from a single snapshot. The
    /// revision comes from the watermark document the writer keeps in that same collection
    /// (<see cref="RevisionWatermark"/>), so it is exactly the revision of the last transaction
    /// the snapshot contains: every change at or below it is in the view, none above.
    /// The usual alternative, the highest revision found on a request in the view, is correct
    /// almost everywhere (a change above it that the view reflects could only be a deletion, of a
    /// request absent from the view, which a client replays harmlessly), but it falls back to 0
    /// when the view holds no requests; after compaction that start is older than the change
    /// log and a watcher would be sent back for a fresh snapshot forever.
    /// </summary>
    public async Task<StoreSnapshot> ReadSnapshotAsync(CancellationToken cancellationToken)
    {
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        var requests = new List<HelpRequest>();
        long revision = 0;
        foreach (var doc in _schema.Requests.FindAll())
        {
            if (RevisionWatermark.Is(doc))
            {
                revision = RevisionWatermark.Revision(doc);
            }
            else
            {
                requests.Add(RequestDocument.FromBson(doc));
            }
        }
        return new StoreSnapshot(requests, revision);
    }

    /// <summary>
    /// Reads no further than <see cref="CommittedRevision"/>, so a replay never hands out a change
    /// the listener has not been told of yet, nor one that is not known to be on disk.
    /// </summary>
    public async Task<ChangeReplay> ReadChangesAsync(long fromRevision, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        var from = Math.Max(fromRevision, 1);
        var upTo = CommittedRevision;
        var changes = from > upTo || max == 0
            ? []
            : _schema.Changes.Find(ChangeDocument.Between(from, upTo), 0, max).Select(ChangeDocument.FromBson).ToList();
        // Checked after the read: compaction raises this mark before its delete commits, so a run
        // that lost its start to a concurrent compaction is always caught here.
        if (from <= _writer.CompactedThrough)
        {
            return new ChangeReplay([], Compacted: true);
        }
        return new ChangeReplay(changes, Compacted: false);
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
            _disposed = true;
        }
    }

    private static LiteDbRequestStore Start(LiteDatabase database, DataDirectoryLock? directoryLock, string location,
        RequestStoreOptions options, TimeProvider timeProvider, IChangeListener changeListener, ILogger logger)
    {
        try
        {
            // Before any write: LiteDB 5.0.21 restores its next transaction id from the last page of
            // the log, not the highest, and a write made on top of such a log can hide committed
            // transactions for good. A checkpoint folds the log into the data file and empties it.
            database.Checkpoint();
            var schema = new StoreSchema(database);
            schema.EnsureIndexes();
            database.Checkpoint();
            var counters = StoreCounters.Read(schema.Meta);
            var writer = new StoreWriter(database, schema, counters, options, timeProvider, changeListener, logger);
            writer.Start();
            logger.Opened(location, counters.LastRevision, counters.NextNumber, counters.CompactedThrough);
            return new LiteDbRequestStore(database, directoryLock, schema, writer, options, logger);
        }
        catch
        {
            database.Dispose();
            throw;
        }
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
