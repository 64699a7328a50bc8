using System.Collections.Concurrent;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// Where a store whose writes failed leaves its database instead of disposing it. After a log
/// write fails mid-commit, LiteDB 5.0.21 can neither roll the transaction back nor dispose it:
/// both trip an internal check, and when the garbage collector finalizes that transaction the
/// check throws on the finalizer thread, which ends the process. Kept reachable here, the
/// transaction is never finalized; the process is expected to restart, and recovery from the
/// log on the next open takes care of the rest.
/// </summary>
internal static class BrokenDatabases
{
    private static readonly ConcurrentBag<object> Kept = [];

    public static void Keep(LiteDatabase database, IDisposable? directoryLock)
    {
        Kept.Add(database);
        if (directoryLock is not null)
        {
            // The data file stays open in this process, so the directory stays locked with it.
            Kept.Add(directoryLock);
        }
    }
}
