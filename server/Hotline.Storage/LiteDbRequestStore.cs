using System.Diagnostics;
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
/// One file per concern: this one opens, starts and closes the store; <c>.Writes</c>, <c>.Requests</c>,
/// <c>.Lists</c> and <c>.Feed</c> are <see cref="IRequestStore"/>, <c>.Operators</c> is
/// <see cref="IOperatorStore"/>, <c>.Audit</c> is <see cref="IAuditTrail"/>.
/// </summary>
public sealed partial class LiteDbRequestStore : IRequestStore, IDisposable
{
    /// <summary>Requests purged per writer turn by a retention run, so intake never waits behind a long purge.</summary>
    public const int RetentionRoundSize = 200;

    // Parameterised predicates: LiteDB caches their compiled form (see RequesterIndex.CountEarlier).
    internal const string OpenStates = "$." + RequestDocument.StateField + " IN @0";
    internal const string ClosedSince = RequestDocument.CloseTimeKey + " ANY >= @0";
    internal const string ClosedBefore = RequestDocument.CloseTimeKey + " ANY < @0";
    private const string ByIds = "$._id IN @0";
    private const string AnyOpenKey = "$." + RequestDocument.OpenKeyField + " >= @0";
    private const string OpenKeyOnly = "$." + RequestDocument.OpenKeyField;
    internal const string IdOnly = "{ _id: $._id }";
    private const string IdAndCloseTime = "{ _id: $._id, closed: $." + RequestDocument.CloseTimeField + " }";

    /// <summary>How long closing waits, in all, for queued writes and then running reads to finish.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    internal static readonly BsonArray OpenStateValues =
        [(int)RequestState.New, (int)RequestState.Assigned, (int)RequestState.Waiting];

    private readonly LiteDatabase _database;
    private readonly DataDirectoryLock? _directoryLock;
    private readonly StoreSchema _schema;
    private readonly StoreWriter _writer;
    private readonly StoreWrites _writes;
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
        _writes = new StoreWrites(writer, vault);
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
            var database = OpenDatabase(directory);
            return Start(database, LiteDbLogFile.Beside(DatabaseFile(directory)), directoryLock, directory, options, timeProvider, changeListener,
                logger, masterKey);
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// How far <see cref="BeginNewHistory"/> moves the revision: more than any installation's server
    /// could have committed after the copy it was restored from was taken (a million changes a
    /// second for twelve days).
    /// </summary>
    public const long NewHistoryGap = 1L << 40;

    /// <summary>
    /// Marks a store restored from a backup (or any copy) as a new history, before a server opens it:
    /// the revision moves ahead by <see cref="NewHistoryGap"/> and the change log counts as compacted
    /// up to there. Revisions the lost server committed after the copy was taken were never made in
    /// this store; without this, the restored store would issue the same numbers again for different
    /// changes, and a console that saw the lost ones would resume on top of them without noticing.
    /// Now every stream that resumes from a revision of the old history gets a reset
    /// (REVISION_COMPACTED) and a fresh snapshot, and new revisions cannot collide with old ones.
    /// </summary>
    /// <returns>The revision the store now starts from.</returns>
    public static long BeginNewHistory(string dataDirectory)
    {
        var (directory, _) = DataDirectory.Prepare(dataDirectory);
        using var directoryLock = DataDirectoryLock.Acquire(directory);
        using var database = OpenDatabase(directory);
        var log = LiteDbLogFile.Beside(DatabaseFile(directory));
        LiteDbLogFile.Checkpoint(database, log);
        var schema = new StoreSchema(database);
        if (!database.BeginTrans())
        {
            throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
        }
        var counters = StoreCounters.Read(schema.Meta);
        var start = counters.LastRevision + NewHistoryGap;
        (counters with { LastRevision = start, CompactedThrough = start }).Write(schema.Meta);
        RevisionWatermark.Write(schema.Requests, start);
        database.Commit();
        LiteDbLogFile.Checkpoint(database, log);
        return start;
    }

    // Direct: one process owns the file (the lock file makes sure). No Password: LiteDB's
    // encryption is AES-ECB without integrity. No AutoRebuild: it can fail on big indexed
    // collections and writes plaintext copies; damage must be seen, not silently repaired.
    // Binary collation: ids and intake keys compare case-sensitively, the same on every machine.
    private static LiteDatabase OpenDatabase(string directory) => new(new ConnectionString
    {
        Filename = DatabaseFile(directory),
        Connection = ConnectionType.Direct,
        AutoRebuild = false,
        Collation = Collation.Binary,
    });

    private static string DatabaseFile(string directory) => Path.Combine(directory, DataDirectory.DatabaseFileName);

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
        return Start(new LiteDatabase(engine), log: null, directoryLock: null, "(stream)", options, timeProvider, changeListener, logger, masterKey);
    }

    public long CommittedRevision => _writer.CommittedRevision;

    /// <summary>Lockdown and unlock; the locked state is stored with the data.</summary>
    public StoreKeyVault Vault { get; }

    /// <summary>
    /// True once a disk failure left a transaction that could not be rolled back: writes are then
    /// refused with UNAVAILABLE until a restart recovers from the log; so are reads of request content, which need their audit record written. For health checks.
    /// </summary>
    public bool WritesFailed => _writer.Failed;

    /// <summary>
    /// True while the disk refuses writes (full or failing) that could be rolled back: writes are
    /// refused with UNAVAILABLE STORAGE_FAILED, and taken again, without a restart, once the disk
    /// takes one. For health checks.
    /// </summary>
    public bool DiskRefusesWrites => _writer.DiskRefused;

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
            // Bounded: a disk that stops answering must not hold the process's shutdown for ever.
            var closing = Stopwatch.GetTimestamp();
            var writerStopped = _writer.Stop(StopTimeout);
            var readsEnded = _reads.Close(StopTimeout - Stopwatch.GetElapsedTime(closing));
            if (!writerStopped || !readsEnded)
            {
                // Disposing LiteDB under a running transaction or read could corrupt the file; the
                // log it keeps is replayed at the next start instead.
                BrokenDatabases.Keep(_database, _directoryLock);
                _logger.StopTimedOut(StopTimeout.TotalSeconds, writerStopped ? "a read" : "the writer");
            }
            else if (_writer.Failed)
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

    /// <param name="log">LiteDB's log file, flushed before every checkpoint; null on streams the caller owns.</param>
    private static LiteDbRequestStore Start(LiteDatabase database, LiteDbLogFile? log, DataDirectoryLock? directoryLock, string location,
        RequestStoreOptions options, TimeProvider timeProvider, IChangeListener changeListener, ILogger logger, byte[]? masterKey)
    {
        StoreKeyVault? vault = null;
        try
        {
            // Before any write: LiteDB 5.0.21 restores its next transaction id from the last page of
            // the log, not the highest, and a write made on top of such a log can hide committed
            // transactions for good. A checkpoint folds the log into the data file and empties it.
            LiteDbLogFile.Checkpoint(database, log);
            // LiteDB would otherwise checkpoint by itself inside a commit once its log passes 1,000
            // pages, without the log flush that must come first (LiteDbLogFile); the writer decides.
            database.Pragma("CHECKPOINT", 0);
            log?.FlushDirectory();
            var schema = new StoreSchema(database);
            vault = OpenVault(schema, masterKey, logger);
            schema.EnsureIndexes();
            if (WatchIndexState.Read(schema.Meta) is null)
            {
                // Changes up to now were audited without their revision (or there are none yet).
                new WatchIndexState(StoreCounters.Read(schema.Meta).LastRevision, TimeSpan.Zero).Write(schema.Meta);
            }
            LiteDbLogFile.Checkpoint(database, log);
            var counters = StoreCounters.Read(schema.Meta);
            var writer = new StoreWriter(new LiteDbEngine(database, schema, log, options.CheckpointLogBytes), counters, options, timeProvider, changeListener, vault, logger);
            FinishInterruptedPurges(schema, writer, logger);
            writer.Start();
            var store = new LiteDbRequestStore(database, directoryLock, schema, writer, vault, options, timeProvider, logger)
            {
                _databaseFile = directoryLock is null ? null : DatabaseFile(location),
            };
            vault.ConnectWriter((locked, actor) => store._writes.EnqueueAsync(new LockStateWrite(locked, actor)));
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
    private static void FinishInterruptedPurges(StoreSchema schema, StoreWriter writer, ILogger logger)
    {
        var unfinished = PurgeInProgress.Read(schema.Meta);
        if (unfinished.Count == 0)
        {
            return;
        }
        logger.FinishingPurges(unfinished.Count);
        var purge = PendingPurge.Unfinished();
        writer.PurgeBeforeStart(purge);
        if (purge.Task.Exception?.InnerException is { } failure)
        {
            logger.FinishingPurgesFailed(failure);
        }
    }
}
