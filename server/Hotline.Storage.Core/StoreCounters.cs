namespace Hotline.Storage;

/// <summary>
/// The store-wide counters, written in the same transaction as the changes they count: LiteDB keeps
/// them in one <c>meta</c> document, PostgreSQL in the <c>head</c> row every write transaction locks first.
/// </summary>
/// <param name="LastRevision">The revision of the newest change.</param>
/// <param name="NextNumber">The number the next request gets; numbers are never reused.</param>
/// <param name="CompactedThrough">Changes at or below this revision were dropped from the change log.</param>
/// <param name="AuditSequence">The sequence number of the newest audit record; 0 before the first.</param>
/// <param name="AuditHead">The hash of that record: the next one chains from it, and verification checks the chain ends there.</param>
internal sealed record StoreCounters(long LastRevision, long NextNumber, long CompactedThrough, long AuditSequence, byte[] AuditHead)
{
    public static readonly StoreCounters Empty = new(0, 1, 0, 0, AuditChain.GenesisHash.ToArray());
}
