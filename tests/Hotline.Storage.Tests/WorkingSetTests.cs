using Hotline.Domain;
using LiteDB;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

/// <summary>
/// The working set a watch snapshot carries: open requests and those closed within the window,
/// found through the clear fields' indexes at one revision and opened a page at a time.
/// </summary>
public sealed class WorkingSetTests(ITestOutputHelper output)
{
    private static readonly OperatorAccount Holder = TestData.Operator(1);

    [Fact]
    public async Task WorkingSet_ReadsOnlyTheSetNotTheClosedHistory_APageAtATime()
    {
        var time = new FakeTimeProvider(TestData.Start);
        using var store = TestStore.InMemory(time: time);
        const int history = 5_000;
        const int open = 50;
        const int pageSize = 20;
        var ids = await Task.WhenAll(Enumerable.Range(0, history).Select(i => StoreSteps.SubmitAsync(store, "history " + i))).DefaultTimeout();
        await Task.WhenAll(ids.Select(id => StoreSteps.CloseAsync(store, id))).DefaultTimeout();
        time.Advance(TimeSpan.FromDays(2));
        for (var i = 0; i < open; i++)
        {
            await StoreSteps.SubmitAsync(store, "open " + i);
        }
        var readBefore = store.WorkingSetDocumentsRead;
        var openedBefore = store.WorkingSetRequestsOpened;

        var workingSet = await store.ReadWorkingSetAsync(WorkingSets.Window, CancellationToken.None).DefaultTimeout();
        // Finding the set loads its own documents (and the watermark), never the closed history.
        Assert.Equal(open + 1, store.WorkingSetDocumentsRead - readBefore);
        Assert.Equal(0, store.WorkingSetRequestsOpened - openedBefore);
        var perPage = new List<(long Read, long Opened, int Held)>();
        await using (var pages = workingSet.ReadPagesAsync(pageSize, CancellationToken.None).GetAsyncEnumerator())
        {
            var (read, opened) = (store.WorkingSetDocumentsRead, store.WorkingSetRequestsOpened);
            while (await pages.MoveNextAsync().DefaultTimeout())
            {
                perPage.Add((store.WorkingSetDocumentsRead - read, store.WorkingSetRequestsOpened - opened, pages.Current.Count));
                (read, opened) = (store.WorkingSetDocumentsRead, store.WorkingSetRequestsOpened);
            }
        }

        Assert.Equal([(20, 20, 20), (20, 20, 20), (10, 10, 10)], perPage);
        Assert.Equal(open, store.WorkingSetRequestsOpened - openedBefore);
        output.WriteLine($"{history:N0} closed long ago + {open} open: finding the set read {open + 1} documents, " +
            $"pages of {pageSize} read and opened {string.Join(", ", perPage.Select(p => p.Opened))}");
    }

    [Fact]
    public async Task FindingTheWorkingSet_GoesThroughTheStateAndCloseTimeIndexes()
    {
        using var directory = new TempDirectory();
        using (var store = TestStore.InDirectory(directory.Path))
        {
            await StoreSteps.CloseAsync(store, await StoreSteps.SubmitAsync(store, "closed"));
            await StoreSteps.SubmitAsync(store, "open");
        }
        using var raw = new LiteDatabase(Path.Combine(directory.Path, "hotline.db"));
        var requests = raw.GetCollection(RequestDocument.Collection);

        var open = requests.Query().Where(LiteDbRequestStore.OpenStates, LiteDbRequestStore.OpenStateValues).Select(LiteDbRequestStore.IdOnly).GetPlan();
        var closed = requests.Query().Where(LiteDbRequestStore.ClosedSince, 0L).Select(LiteDbRequestStore.IdOnly).GetPlan();

        // Answered by the index alone: no filter left to run over loaded documents.
        Assert.Equal("$." + RequestDocument.StateField, open["index"]["expr"].AsString);
        Assert.Equal(BsonExpression.Create(RequestDocument.CloseTimeKey).Source, closed["index"]["expr"].AsString);
        Assert.False(open.ContainsKey("filters"));
        Assert.False(closed.ContainsKey("filters"));

        // A purge finds the oldest closed requests through the same index.
        var purge = requests.Query().Where(LiteDbRequestStore.ClosedBefore, long.MaxValue).GetPlan();
        Assert.Equal(BsonExpression.Create(RequestDocument.CloseTimeKey).Source, purge["index"]["expr"].AsString);
        Assert.False(purge.ContainsKey("filters"));
    }
}
