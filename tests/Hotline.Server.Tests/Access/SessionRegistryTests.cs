using Hotline.Server.Access;

namespace Hotline.Server.Tests.Access;

public sealed class SessionRegistryTests
{
    [Fact]
    public void EndAll_EndsEverySession_EvenWhenOneStreamFailsWhileEnding()
    {
        var registry = new SessionRegistry();
        using var first = registry.Open("anna", [1]);
        using var failing = registry.Open("boris", [2]);
        using var last = registry.Open("vera", [3]);
        // What a stream whose call finished at the same moment does: its cancellation callback throws.
        using var broken = failing.Ended.Register(() => throw new ObjectDisposedException("HttpContext"));

        var ended = registry.EndAll(SessionEnd.LockedDown);

        Assert.Equal(3, ended);
        Assert.All(new[] { first, failing, last }, s =>
        {
            Assert.True(s.Ended.IsCancellationRequested);
            Assert.Equal(SessionEnd.LockedDown, s.Reason);
        });
    }

    [Fact]
    public void End_IsOnce_AndKeepsTheFirstReason()
    {
        var registry = new SessionRegistry();
        using var session = registry.Open("anna", [1]);

        Assert.True(session.End(SessionEnd.TokenRevoked));
        Assert.False(session.End(SessionEnd.LockedDown));
        Assert.Equal(SessionEnd.TokenRevoked, session.Reason);
    }
}
