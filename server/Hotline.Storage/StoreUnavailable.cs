using Hotline.Domain;

namespace Hotline.Storage;

internal static class StoreUnavailable
{
    /// <summary>Not (yet) in <see cref="ErrorReasons"/>: the domain has no word for a broken disk.</summary>
    public const string StorageFailedReason = "STORAGE_FAILED";

    public static DomainException StorageFailed() =>
        new(ErrorKind.Unavailable, StorageFailedReason,
            "The request store stopped taking writes after a disk failure it could not roll back; " +
            "restart the server to recover from the database's log.");

    public static DomainException ShuttingDown() =>
        new(ErrorKind.Unavailable, ErrorReasons.ShuttingDown,
            "The request store is shutting down; retry once the server is back.");
}
