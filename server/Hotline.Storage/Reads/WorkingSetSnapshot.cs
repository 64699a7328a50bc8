using System.Runtime.CompilerServices;
using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>
/// The working set found by <see cref="LiteDbRequestStore.ReadWorkingSetAsync"/>: the ids of its
/// requests, in id order, and the revision they reflect. Each page is read from the store when it
/// is asked for, so its reader holds the ids and one page, never the whole set opened. A page ends
/// at <c>pageSize</c> requests or at <see cref="RequestStoreOptions.ReadPageBytes"/> of sealed
/// content, whichever comes first.
/// </summary>
internal sealed class WorkingSetSnapshot(LiteDbRequestStore store, string[] ids, long revision, DateTimeOffset closedSince,
    DateTimeOffset closedUntil) : IWorkingSetSnapshot
{
    public long Revision => revision;

    public int Count => ids.Length;

    public DateTimeOffset ClosedSince => closedSince;

    public DateTimeOffset ClosedUntil => closedUntil;

    public async IAsyncEnumerable<IReadOnlyList<HelpRequest>> ReadPagesAsync(int pageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        for (var start = 0; start < ids.Length;)
        {
            var (page, consumed) = await store.ReadUnchangedAsync(ids.AsMemory(start, Math.Min(pageSize, ids.Length - start)), revision, cancellationToken)
                .ConfigureAwait(false);
            start += consumed;
            // A page whose every request changed since the revision has nothing to send: those changes follow.
            if (page.Count > 0)
            {
                yield return page;
            }
        }
    }
}
