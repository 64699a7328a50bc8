using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hotline.Domain;

namespace Hotline.Protection;

/// <summary>
/// The audit chain: how a record is hashed and linked to the one before it, and how a chain read
/// back is verified. The hash is an HMAC-SHA256 under a key derived from the master key, not a
/// bare SHA-256: someone who can write the database but lacks the master key could otherwise edit
/// a record and recompute every hash after it, and the chain would prove nothing. Kept apart from
/// any store so that every store links and checks records alike.
/// </summary>
public static class AuditChain
{
    public const int HashLength = 32;

    /// <summary>What the first record follows.</summary>
    public static ReadOnlyMemory<byte> GenesisHash { get; } = new byte[HashLength];

    private static readonly byte[] Label = "hotline-audit-v1"u8.ToArray();
    private static readonly byte[] RevisionTag = "revision"u8.ToArray();
    private static readonly byte[] WatchTag = "watch"u8.ToArray();

    /// <summary>The record with sequence <paramref name="sequence"/>, linked to <paramref name="previousHash"/> and hashed.</summary>
    public static AuditRecord Create(KeyRing ring, long sequence, DateTimeOffset time, string actor, AuditAction action,
        IReadOnlyList<string> requestIds, byte[] previousHash, string? operatorId = null, long? revision = null, WatchMark? watch = null)
    {
        ArgumentNullException.ThrowIfNull(ring);
        var unsigned = new AuditRecord(sequence, time, actor, action, requestIds, previousHash, ReadOnlyMemory<byte>.Empty, operatorId,
            revision, watch);
        return unsigned with { Hash = ring.AuditHash(Canonical(unsigned)) };
    }

    /// <summary>
    /// Walks the chain in sequence order and stops at the first record that is not where, or what,
    /// the chain says it should be. Messages name positions and sequence numbers, never content.
    /// </summary>
    /// <param name="recordsInOrder">The records as the store read them, in its key order.</param>
    /// <param name="headSequence">The sequence the newest write recorded, read before the records.</param>
    /// <param name="headHash">The hash the newest write recorded.</param>
    public static AuditVerification Verify(KeyRing ring, IEnumerable<StoredAuditRecord> recordsInOrder, long headSequence,
        ReadOnlySpan<byte> headHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(recordsInOrder);
        var expected = 1L;
        var previousHash = GenesisHash.ToArray();
        var checkedCount = 0L;
        foreach (var stored in recordsInOrder)
        {
            cancellationToken.ThrowIfCancellationRequested();
            checkedCount++;
            if (stored.Sequence is not { } sequence)
            {
                return Broken(AuditChainProblem.ChainBroken, expected, checkedCount,
                    $"a record with a non-numeric key sits at position {expected}: it was inserted", previousHash);
            }
            if (sequence > expected)
            {
                return Broken(AuditChainProblem.RecordMissing, expected, checkedCount,
                    $"record {expected} is missing (the next one found is {sequence}): it was deleted", previousHash);
            }
            if (stored.Record is not { } record)
            {
                return Broken(AuditChainProblem.RecordAltered, expected, checkedCount,
                    $"record {expected} is malformed: it was edited", previousHash);
            }
            var hash = ring.AuditHash(Canonical(record));
            if (!CryptographicOperations.FixedTimeEquals(hash, record.Hash.Span))
            {
                return Broken(AuditChainProblem.RecordAltered, expected, checkedCount,
                    $"record {expected} does not match its hash: it was edited, inserted or moved here", previousHash);
            }
            if (!CryptographicOperations.FixedTimeEquals(record.PreviousHash.Span, previousHash))
            {
                return Broken(AuditChainProblem.ChainBroken, expected, checkedCount,
                    $"record {expected} does not follow record {expected - 1}: records were inserted, reordered or replaced here", previousHash);
            }
            previousHash = hash;
            expected++;
        }
        var last = expected - 1;
        if (last < headSequence)
        {
            return Broken(AuditChainProblem.ChainTruncated, last + 1, checkedCount,
                $"the chain ends at record {last} but the newest write recorded {headSequence}: records from {last + 1} on were deleted", previousHash);
        }
        if (headSequence > 0 && last == headSequence && !CryptographicOperations.FixedTimeEquals(previousHash, headHash))
        {
            return Broken(AuditChainProblem.ChainBroken, last, checkedCount,
                $"record {last} is not the record the newest write recorded as the head of the chain", previousHash);
        }
        return new AuditVerification(true, checkedCount, AuditChainProblem.None, 0,
            string.Create(CultureInfo.InvariantCulture, $"{checkedCount} records, chained intact from 1 to {last}"), last, previousHash);
    }

    /// <summary>
    /// Label, sequence, time, actor, action, request ids, previous hash, then the account concerned
    /// only when there is one, then the revision and the watch fields, each behind its tag, only
    /// when there are any: integers big-endian, strings and lists length-prefixed, so no two
    /// different records encode alike. Records written before account changes, revisions or watch
    /// fields were recorded have none of them and encode exactly as they did, so existing chains still verify.
    /// </summary>
    public static byte[] Canonical(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var buffer = new MemoryStream();
        Write(buffer, Label);
        WriteInt64(buffer, record.Sequence);
        WriteInt64(buffer, record.Time.UtcTicks);
        Write(buffer, Encoding.UTF8.GetBytes(record.Actor));
        WriteInt64(buffer, (long)record.Action);
        WriteInt64(buffer, record.RequestIds.Count);
        foreach (var id in record.RequestIds)
        {
            Write(buffer, Encoding.UTF8.GetBytes(id));
        }
        Write(buffer, record.PreviousHash.Span);
        if (record.OperatorId is not null)
        {
            Write(buffer, Encoding.UTF8.GetBytes(record.OperatorId));
        }
        if (record.Revision is { } revision)
        {
            Write(buffer, RevisionTag);
            WriteInt64(buffer, revision);
        }
        if (record.Watch is { } watch)
        {
            Write(buffer, WatchTag);
            WriteInt64(buffer, watch.Stream);
            WriteInt64(buffer, watch.FromRevision);
            WriteInt64(buffer, watch.Through);
            // Ticks are never negative: -1 says "no snapshot" unlike any time.
            WriteInt64(buffer, watch.SnapshotClosedSince?.UtcTicks ?? -1);
            WriteInt64(buffer, watch.Ended ? 1 : 0);
        }
        return buffer.ToArray();
    }

    private static AuditVerification Broken(AuditChainProblem problem, long position, long checkedCount, string detail, byte[] lastGoodHash) =>
        new(false, checkedCount, problem, position, detail, position - 1, lastGoodHash);

    private static void Write(MemoryStream buffer, ReadOnlySpan<byte> bytes)
    {
        WriteInt64(buffer, bytes.Length);
        buffer.Write(bytes);
    }

    private static void WriteInt64(MemoryStream buffer, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        buffer.Write(bytes);
    }
}

/// <summary>
/// One record of the chain as a store read it back, before it is trusted: a store that finds a key
/// that is not a number, or a record it cannot decode, says so here and <see cref="AuditChain.Verify"/>
/// reports it at its position like any other break.
/// </summary>
/// <param name="Sequence">The record's key as a sequence number; null when it is not a number.</param>
/// <param name="Record">The decoded record; null when it is malformed.</param>
public readonly record struct StoredAuditRecord(long? Sequence, AuditRecord? Record);
