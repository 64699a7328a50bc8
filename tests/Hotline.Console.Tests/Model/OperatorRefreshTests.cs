using System.Collections.Concurrent;
using Hotline.Console.Remote;
using Hotline.Console.State;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Console.Tests.Model;

public sealed class OperatorRefreshTests : IAsyncDisposable
{
    private readonly FakeHotlineClient _client = new();
    private readonly FakeTimeProvider _time = new(Requests.T0);
    private readonly ConcurrentQueue<FeedEvent> _posted = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly OperatorRefresh _refresh;
    private readonly Task _running;

    public OperatorRefreshTests()
    {
        _refresh = new OperatorRefresh(_client, _posted.Enqueue, _time) { Period = TimeSpan.FromSeconds(30), MinimumGap = TimeSpan.FromSeconds(2) };
        _running = Task.Run(() => _refresh.RunAsync(_stop.Token));
    }

    [Fact]
    public async Task Nudge_ReadsTheListAtOnce_WhileConnected()
    {
        _refresh.Connected = true;
        _client.People.Add(Requests.Operator("zoe", "Зоя"));

        _refresh.Nudge();

        var identity = Assert.IsType<IdentityKnown>(await NextPostedAsync(advance: TimeSpan.Zero));
        Assert.Equal(_client.Me, identity.Me);
        Assert.Contains(identity.Operators, o => o.Name == "operators/zoe");
    }

    [Fact]
    public async Task Period_ReadsTheListWithoutANudge()
    {
        _refresh.Connected = true;

        Assert.IsType<IdentityKnown>(await NextPostedAsync(advance: TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Offline_ReadsNothing_UntilConnectedAgain()
    {
        _refresh.Nudge();
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            await Task.Delay(20);
        }
        Assert.Empty(_posted);

        _refresh.Connected = true;

        Assert.IsType<IdentityKnown>(await NextPostedAsync(advance: TimeSpan.FromSeconds(30)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.DefaultTimeout();
        _stop.Dispose();
    }

    /// <summary>Waits for the next post, moving fake time on by <paramref name="advance"/> each round so a pending delay can end.</summary>
    private async Task<FeedEvent> NextPostedAsync(TimeSpan advance)
    {
        var deadline = DateTime.UtcNow + TaskTimeouts.Default;
        while (DateTime.UtcNow < deadline)
        {
            if (_posted.TryDequeue(out var posted))
            {
                return posted;
            }
            _time.Advance(advance);
            await Task.Delay(10);
        }
        throw new TimeoutException("Nothing was posted.");
    }
}
