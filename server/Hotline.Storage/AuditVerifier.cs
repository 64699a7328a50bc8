using System.Globalization;
using System.Security.Cryptography;
using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// Walks the audit chain in sequence order and stops at the first record that is not where, or
/// what, the chain says it should be. Messages name positions and sequence numbers, never content.
/// </summary>
internal static class AuditVerifier
{
    public static AuditVerification Verify(KeyRing ring, IEnumerable<BsonDocument> recordsInOrder, long headSequence, byte[] headHash,
        CancellationToken cancellationToken)
    {
        var expected = 1L;
        var previousHash = AuditDocument.GenesisHash;
        var checkedCount = 0L;
        foreach (var doc in recordsInOrder)
        {
            cancellationToken.ThrowIfCancellationRequested();
            checkedCount++;
            if (!doc["_id"].IsInt64 && !doc["_id"].IsInt32)
            {
                return Broken(AuditChainProblem.ChainBroken, expected, checkedCount,
                    $"a record with a non-numeric key sits at position {expected}: it was inserted", previousHash);
            }
            var sequence = doc["_id"].AsInt64;
            if (sequence > expected)
            {
                return Broken(AuditChainProblem.RecordMissing, expected, checkedCount,
                    $"record {expected} is missing (the next one found is {sequence}): it was deleted", previousHash);
            }
            AuditRecord record;
            try
            {
                record = AuditDocument.FromBson(doc);
            }
            catch (Exception ex) when (ex is InvalidCastException or NullReferenceException)
            {
                return Broken(AuditChainProblem.RecordAltered, expected, checkedCount,
                    $"record {expected} is malformed: it was edited", previousHash);
            }
            var hash = ring.AuditHash(AuditDocument.Canonical(record));
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

    private static AuditVerification Broken(AuditChainProblem problem, long position, long checkedCount, string detail, byte[] lastGoodHash) =>
        new(false, checkedCount, problem, position, detail, position - 1, lastGoodHash);
}
