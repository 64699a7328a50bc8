using Hotline.Console.State;

namespace Hotline.Console.Tests.Model;

public sealed class FeedInboxTests
{
    [Fact]
    public void BurstFromAnotherThread_WakesOnceUntilDrained()
    {
        var wakes = 0;
        var inbox = new FeedInbox(() => Interlocked.Increment(ref wakes));
        var producer = new Thread(() =>
        {
            for (var i = 1; i <= 1_000; i++)
            {
                inbox.Post(Requests.Progress(i));
            }
        });

        producer.Start();
        Assert.True(producer.Join(TaskTimeouts.Default));

        Assert.Equal(1, wakes);
        Assert.Equal(1_000, inbox.Drain().Count);
        inbox.Post(Requests.Progress(1_001));
        Assert.Equal(2, wakes);
    }
}
