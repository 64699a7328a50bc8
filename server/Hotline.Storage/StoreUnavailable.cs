using Hotline.Domain;

namespace Hotline.Storage;

internal static class StoreUnavailable
{
    public static DomainException StorageFailed() =>
        new(ErrorKind.Unavailable, ErrorReasons.StorageFailed,
            "The request store stopped taking writes after a disk failure it could not roll back; " +
            "restart the server to recover from the database's log.");

    public static DomainException ShuttingDown() =>
        new(ErrorKind.Unavailable, ErrorReasons.ShuttingDown,
            "The request store is shutting down; retry once the server is back.");
}
