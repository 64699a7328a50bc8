using Hotline.Domain;

namespace Hotline.Storage.Tests;

/// <summary>Closing the store waits for running reads, but not for ever (issue 12, item 4).</summary>
public sealed class ReadGateTests
{
    [Fact]
    public async Task Close_WithAReadStillInside_GivesUpAfterItsTimeout_AndRefusesNewReads()
    {
        var gate = new ReadGate(2);
        var inside = await gate.EnterAsync(CancellationToken.None);

        var closed = gate.Close(TimeSpan.FromMilliseconds(50));

        Assert.False(closed);
        var refused = await Assert.ThrowsAsync<DomainException>(async () => await gate.EnterAsync(CancellationToken.None));
        Assert.Equal(ErrorReasons.ShuttingDown, refused.Reason);
        inside.Dispose();
    }

    [Fact]
    public async Task Close_AfterEveryReadLeft_Succeeds()
    {
        var gate = new ReadGate(2);
        using (await gate.EnterAsync(CancellationToken.None))
        {
        }

        Assert.True(gate.Close(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Close_WithItsTimeUsedUpByTheWriter_StillClosesAnIdleGate()
    {
        var gate = new ReadGate(2);

        Assert.True(gate.Close(TimeSpan.FromSeconds(-1)));
    }
}
