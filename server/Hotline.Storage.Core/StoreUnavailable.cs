using Hotline.Domain;

namespace Hotline.Storage;

internal static class StoreUnavailable
{
    public static DomainException StorageFailed() =>
        new(ErrorKind.Unavailable, ErrorReasons.StorageFailed,
            "The request store stopped taking writes after a disk failure it could not roll back; " +
            "restart the server to recover from the database's log.");

    /// <summary>The disk refused a write (full, or an I/O error) and the transaction was rolled back.</summary>
    public static DomainException DiskRefused() =>
        new(ErrorKind.Unavailable, ErrorReasons.StorageFailed,
            "The server's disk refused a write (full or failing); nothing from this call was stored. " +
            "Writes resume by themselves once the disk takes them again; retry later.");

    /// <summary>The batch committed, but the disk refused the checkpoint that makes it durable.</summary>
    public static DomainException NotFlushed() =>
        new(ErrorKind.Unavailable, ErrorReasons.StorageFailed,
            "The change was committed but the server's disk refused to flush it (full or failing); it may not survive a power failure. " +
            "A retry with the same request_id finds it rather than storing it twice.");

    public static DomainException ShuttingDown() =>
        new(ErrorKind.Unavailable, ErrorReasons.ShuttingDown,
            "The request store is shutting down; retry once the server is back.");
}
