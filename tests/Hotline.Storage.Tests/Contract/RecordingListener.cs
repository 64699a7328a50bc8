using Hotline.Domain;

namespace Hotline.Storage.Tests;

/// <summary>Keeps every change it is told of; can hold the writer thread to let commands pile up in the queue.</summary>
internal sealed class RecordingListener : IChangeListener
{
    private readonly Lock _lock = new();
    private readonly List<RequestChange> _changes = [];
    private readonly List<int> _batchSizes = [];
    private readonly ManualResetEventSlim _released = new(initialState: true);
    private readonly ManualResetEventSlim _holding = new();

    /// <summary>Runs on the writer thread for each batch, before it is recorded.</summary>
    public Action<IReadOnlyList<RequestChange>>? Inspect { get; set; }

    public IReadOnlyList<RequestChange> Changes
    {
        get
        {
            lock (_lock)
            {
                return [.. _changes];
            }
        }
    }

    public IReadOnlyList<int> BatchSizes
    {
        get
        {
            lock (_lock)
            {
                return [.. _batchSizes];
            }
        }
    }

    /// <summary>
    /// Callers are completed before the listener is told, so a test that awaited its writes waits
    /// here for the listener to catch up.
    /// </summary>
    public void WaitForRevision(long revision)
    {
        var deadline = DateTime.UtcNow + TaskExtensions.Timeout;
        while (Changes is not [.., var last] || last.Revision < revision)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the listener never saw revision {revision}");
            Thread.Sleep(1);
        }
    }

    /// <summary>The next batch keeps the writer inside the listener until <see cref="Release"/>.</summary>
    public void HoldNextBatch()
    {
        _holding.Reset();
        _released.Reset();
    }

    /// <summary>Returns once the writer is being held.</summary>
    public void WaitUntilHolding() => Assert.True(_holding.Wait(TaskExtensions.Timeout), "the writer never reached the listener");

    public void Release() => _released.Set();

    public void OnCommitted(IReadOnlyList<RequestChange> changes)
    {
        Inspect?.Invoke(changes);
        lock (_lock)
        {
            _changes.AddRange(changes);
            _batchSizes.Add(changes.Count);
        }
        _holding.Set();
        Assert.True(_released.Wait(TaskExtensions.Timeout), "the test never released the writer");
    }
}
