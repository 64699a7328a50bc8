using Hotline.Domain;

namespace Hotline.Storage;

internal static class StoreUnavailable
{
    public static DomainException ShuttingDown() =>
        new(ErrorKind.Unavailable, ErrorReasons.ShuttingDown,
            "The request store is shutting down; retry once the server is back.");
}
