using Hotline.Server.Live;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Server.Tests;

public sealed class StreamMemoryReturnTests
{
    [Fact]
    public void FewStreamsEnding_NeverCollect()
    {
        var time = new FakeTimeProvider();
        using var memory = new StreamMemoryReturn(time);

        for (var i = 0; i < StreamMemoryReturn.StreamsPerReturn - 1; i++)
        {
            memory.StreamEnded();
            time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(0, memory.Returns);
    }

    [Fact]
    public void BurstOfEndedStreams_CollectsOnceWhenItIsOver()
    {
        var time = new FakeTimeProvider();
        using var memory = new StreamMemoryReturn(time);

        for (var i = 0; i < 3 * StreamMemoryReturn.StreamsPerReturn; i++)
        {
            memory.StreamEnded();
            time.Advance(TimeSpan.FromMilliseconds(100));
        }
        Assert.Equal(0, memory.Returns);
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, memory.Returns);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, memory.Returns);
    }

    [Fact]
    public void SteadyTrickleOfEnds_StillCollectsWithinHalfAMinute()
    {
        var time = new FakeTimeProvider();
        using var memory = new StreamMemoryReturn(time);

        for (var i = 0; i < 400 && memory.Returns == 0; i++)
        {
            memory.StreamEnded();
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(1, memory.Returns);
    }
}
