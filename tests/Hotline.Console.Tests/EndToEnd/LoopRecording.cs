using Hotline.Console.Remote;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.EndToEnd;

/// <summary>
/// What a console's watch loop handed to its model, recorded in order for an end-to-end test:
/// pass <see cref="Post"/> to the <see cref="WatchLoop"/> and read the events back from any thread.
/// </summary>
internal sealed class LoopRecording
{
    private readonly Lock _gate = new();
    private readonly List<FeedEvent> _posted = [];

    public void Post(FeedEvent item)
    {
        lock (_gate)
        {
            _posted.Add(item);
        }
    }

    /// <summary>Everything posted so far, in order.</summary>
    public List<FeedEvent> Posted()
    {
        lock (_gate)
        {
            return [.. _posted];
        }
    }

    public bool SnapshotEnded() =>
        Posted().OfType<FeedMessage>().Any(m => m.Message.EventCase == WatchRequestsResponse.EventOneofCase.SnapshotEnd);

    /// <summary>The changes the loop handed to the model (it drops what it has already received).</summary>
    public List<RequestChange> Changes() =>
        [.. Posted().OfType<FeedMessage>().Where(m => m.Message.EventCase == WatchRequestsResponse.EventOneofCase.Change).Select(m => m.Message.Change)];

    public List<ConnectionStatus> Connected() => Statuses(LinkState.Connected);

    public List<ConnectionStatus> Retrying() => Statuses(LinkState.Retrying);

    /// <summary>Polls <paramref name="condition"/> every 50 ms; fails the test after a minute.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }

    private List<ConnectionStatus> Statuses(LinkState state) =>
        [.. Posted().OfType<ConnectionChanged>().Select(c => c.Status).Where(s => s.State == state)];
}
