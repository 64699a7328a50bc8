using Hotline.Domain;

namespace Hotline.Storage.Tests;

/// <summary>
/// A store restored from a copy begins a new history: no revision of the old one can be resumed
/// from or issued again, and nothing stored is lost or changed.
/// </summary>
public sealed class NewHistoryTests
{
    [Fact]
    public async Task BeginNewHistory_MovesTheRevisionOnByTheGap_EveryOldRevisionIsCompacted_NewChangesFollowOn()
    {
        using var directory = new TempDirectory();
        string first;
        long old;
        using (var store = TestStore.InDirectory(directory.Path))
        {
            first = (await store.SubmitAsync(TestData.Submission("a"), CancellationToken.None).DefaultTimeout()).RequestId;
            await store.SubmitAsync(TestData.Submission("b"), CancellationToken.None).DefaultTimeout();
            old = store.CommittedRevision;
        }

        var start = LiteDbRequestStore.BeginNewHistory(directory.Path);

        Assert.Equal(old + LiteDbRequestStore.NewHistoryGap, start);
        using var reopened = TestStore.InDirectory(directory.Path);
        Assert.Equal(start, reopened.CommittedRevision);
        // Any revision of the old history, and any the lost server could have reached, reads as compacted.
        foreach (var from in new[] { 1, old, old + 1, start })
        {
            Assert.True((await reopened.ReadChangesAsync(from, 100, CancellationToken.None).DefaultTimeout()).Compacted, $"from {from}");
        }
        Assert.NotNull(await reopened.GetAsync(first, "reader", CancellationToken.None).DefaultTimeout());
        await reopened.SubmitAsync(TestData.Submission("c"), CancellationToken.None).DefaultTimeout();
        var replay = await reopened.ReadChangesAsync(start + 1, 100, CancellationToken.None).DefaultTimeout();
        Assert.False(replay.Compacted);
        Assert.Equal([start + 1], replay.Changes.Select(c => c.Revision));
        var workingSet = await reopened.ReadWorkingSetAsync(TimeSpan.FromDays(1), CancellationToken.None).DefaultTimeout();
        Assert.Equal(start + 1, workingSet.Revision);
        Assert.True((await reopened.VerifyAuditAsync(CancellationToken.None).DefaultTimeout()).Intact);
    }

    [Fact]
    public void BeginNewHistory_OnADirectoryAServerHolds_IsRefused()
    {
        using var directory = new TempDirectory();
        using var store = TestStore.InDirectory(directory.Path);

        Assert.Throws<DataDirectoryInUseException>(() => LiteDbRequestStore.BeginNewHistory(directory.Path));
    }
}
