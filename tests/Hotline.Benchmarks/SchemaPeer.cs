using System.Diagnostics;
using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Protection;
using Hotline.Storage;
using LiteDB;

namespace Hotline.Benchmarks;

/// <summary>
/// What LiteDB alone costs for what one submit must write, with none of the store's own work
/// around it: the documents a new request adds, built by the store's own mappers into a database
/// with the store's own collections and indexes, written straight through LiteDB. Per submit:
/// the sealed request (ten indexes), its change-log entry (which carries a copy, two indexes),
/// its intake key (two), its wrapped data key (one) and its audit record (two). The store adds to
/// this the writer's lookups (the intake key, the new id's existence, the requester's earlier
/// contacts), the audit chain's hash, the counters, the handoff to the writer thread, and its own
/// durability (a flushed log and a fold every 2 MiB instead of a checkpoint per transaction).
/// </summary>
/// <remarks>
/// Durable the way the per-insert peer is (a checkpoint per transaction), so this peer's rate
/// against that one is what the schema costs with the durability held equal; the store's rate
/// against this peer is what the store's own logic costs, less what its cheaper durability saves.
/// </remarks>
internal sealed class SchemaPeer : IDisposable
{
    private readonly LiteDatabase _database;
    private readonly string _directory;
    private readonly StoreSchema _schema;
    private readonly SubmitParts _parts;
    private readonly byte[] _wrappedKey = RandomNumberGenerator.GetBytes(60);
    private long _number;
    private long _auditSequence;

    /// <param name="parts">What of a submit to write; all of it unless a section takes parts away to price them.</param>
    public SchemaPeer(string directory, SubmitParts parts = SubmitParts.All)
    {
        _parts = parts;
        _directory = directory;
        _database = StoreIntakeBenchmark.RawDatabase(directory, indexes: !parts.HasFlag(SubmitParts.SecondaryIndexes));
        _schema = new StoreSchema(_database);
        if (parts.HasFlag(SubmitParts.SecondaryIndexes))
        {
            _schema.EnsureIndexes();
        }
        _database.Checkpoint();
    }

    /// <summary>Writes <paramref name="count"/> submits, <paramref name="perTransaction"/> to a transaction, each transaction checkpointed; returns submits/s.</summary>
    public double Write(int count, int perTransaction)
    {
        var started = Stopwatch.GetTimestamp();
        for (var written = 0; written < count;)
        {
            var inThis = Math.Min(perTransaction, count - written);
            WriteTransaction(inThis);
            _database.Checkpoint();
            written += inThis;
        }
        return Repeated.PerSecond(count, started);
    }

    /// <summary>
    /// Log pages a submit appends (<see cref="LogVolume"/>): alone in its transaction, over
    /// <paramref name="transactions"/> of them, and grouped <see cref="StoreIntakeBenchmark.SchemaGroup"/>
    /// to a transaction, over a tenth as many.
    /// </summary>
    public (double OnePerTransaction, double Grouped) LogPagesPerSubmit(int transactions)
    {
        var dataFile = StoreIntakeBenchmark.RawDataFile(_directory);
        var group = StoreIntakeBenchmark.SchemaGroup;
        var one = LogVolume.PagesPerTransaction(_database, dataFile, transactions, () => WriteTransaction(1));
        var grouped = LogVolume.PagesPerTransaction(_database, dataFile, Math.Max(2, transactions / 10), () => WriteTransaction(group)) / group;
        return (one, grouped);
    }

    private void WriteTransaction(int submits)
    {
        _database.BeginTrans();
        for (var i = 0; i < submits; i++)
        {
            WriteOne();
        }
        _database.Commit();
    }

    private void WriteOne()
    {
        var number = ++_number;
        var now = DateTimeOffset.UtcNow;
        var id = RequestIds.New(now);
        var request = Synthetic.Submission("schema-" + number).ToNewRequest(id, number, now) with { Revision = number };
        BsonDocument sealedDoc;
        using (var sealer = new RequestSealer(id, RandomNumberGenerator.GetBytes(32)))
        {
            sealedDoc = RequestDocument.ToBson(request, sealer, RequesterIndex.Key(RandomNumberGenerator.GetBytes(16), number));
        }
        _schema.Requests.Insert(sealedDoc);
        if (_parts.HasFlag(SubmitParts.DataKey))
        {
            _schema.Keys.Insert(DataKeyDocument.ToBson(id, _wrappedKey));
        }
        if (_parts.HasFlag(SubmitParts.ChangeEntry))
        {
            _schema.Changes.Insert(ChangeDocument.ToBson(new RequestChange(number, ChangeKind.Created, id, request, Synthetic.IntakeCaller), sealedDoc));
        }
        if (_parts.HasFlag(SubmitParts.IntakeKey))
        {
            _schema.IntakeKeys.Insert(IntakeKeyDocument.ToBson(Synthetic.IntakeCaller + "/schema-" + number, new IntakeReceipt(id, number, now, Duplicate: false)));
        }
        if (_parts.HasFlag(SubmitParts.AuditRecord))
        {
            var hash = RandomNumberGenerator.GetBytes(32);
            _schema.Audit.Insert(AuditDocument.ToBson(new AuditRecord(++_auditSequence, now, Synthetic.IntakeCaller, AuditAction.Submitted, [id], hash, hash, Revision: number)));
        }
    }

    public void Dispose() => _database.Dispose();
}

/// <summary>The parts of what a submit writes besides the sealed request itself, which is always written.</summary>
[Flags]
internal enum SubmitParts
{
    None = 0,

    /// <summary>
    /// Ten secondary indexes: the request's seven beyond the per-insert peer's three (_id, state,
    /// number), and the request-id lookups of its change-log entry, intake key and audit record.
    /// </summary>
    SecondaryIndexes = 1,

    /// <summary>The change-log entry, with its copy of the sealed request: what a resumed live feed replays.</summary>
    ChangeEntry = 2,

    /// <summary>The (submitter, request id) key that makes a retried submission return its first receipt.</summary>
    IntakeKey = 4,

    /// <summary>The wrapped data key, kept apart from the request so a purge can destroy it (crypto-shredding).</summary>
    DataKey = 8,

    /// <summary>The SUBMITTED record of the audit chain.</summary>
    AuditRecord = 16,

    All = SecondaryIndexes | ChangeEntry | IntakeKey | DataKey | AuditRecord,
}
