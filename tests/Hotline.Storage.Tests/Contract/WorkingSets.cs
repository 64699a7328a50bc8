using Hotline.Domain;

namespace Hotline.Storage.Tests;

/// <summary>Reads a store's working set the way a watch does, a page at a time, with a timeout on every page.</summary>
internal static class WorkingSets
{
    /// <summary>The server's default closed window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(36);

    /// <summary>Every request of the working set, in page order, the pages read and the revision they reflect.</summary>
    public static async Task<(List<HelpRequest> Requests, long Revision, int Count)> ReadWorkingSetAsync(this IRequestStore store,
        TimeSpan? closedWithin = null, int pageSize = 100)
    {
        var snapshot = await store.ReadWorkingSetAsync(closedWithin ?? Window, CancellationToken.None).DefaultTimeout();
        return (await snapshot.ReadAllAsync(pageSize), snapshot.Revision, snapshot.Count);
    }

    public static async Task<List<HelpRequest>> ReadAllAsync(this IWorkingSetSnapshot snapshot, int pageSize = 100)
    {
        var requests = new List<HelpRequest>();
        await using var pages = snapshot.ReadPagesAsync(pageSize, CancellationToken.None).GetAsyncEnumerator();
        while (await pages.MoveNextAsync().DefaultTimeout())
        {
            requests.AddRange(pages.Current);
        }
        return requests;
    }

    /// <summary>Every change from <paramref name="fromRevision"/> on, read in runs as a resuming watch reads them; none may be compacted away.</summary>
    public static async Task<List<RequestChange>> ReadWholeLogAsync(this IRequestStore store, long fromRevision = 1)
    {
        var changes = new List<RequestChange>();
        ChangeReplay run;
        do
        {
            run = await store.ReadChangesAsync(fromRevision, 1_000, CancellationToken.None).DefaultTimeout();
            Assert.False(run.Compacted);
            changes.AddRange(run.Changes);
            fromRevision = run.ReadThrough + 1;
        }
        while (run.More);
        return changes;
    }
}
