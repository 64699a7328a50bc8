using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Server.Tests;

/// <summary>Refusals come at a rate callers choose, so the log writes a few and counts the rest (issue 11, item 5).</summary>
public sealed class RefusalLogTests
{
    private const string Submit = "/hotline.v1.IntakeService/SubmitRequest";
    private const string Get = "/hotline.v1.RequestService/GetRequest";

    [Fact]
    public void RefusalsPastTheLimit_AreCountedAndSummedUpInOneLineWhenTheWindowCloses()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lines = new LinesLogger<RefusalLog>();
        using var log = new RefusalLog(time, lines);

        for (var i = 0; i < 1_000; i++)
        {
            log.Refused(Submit, "MALFORMED_MESSAGE");
        }
        log.Refused(Submit, "INVALID_FIELDS");
        log.Refused(Get, "MALFORMED_MESSAGE");

        Assert.Equal(RefusalLog.LinesPerWindow + 2, lines.Written.Count);
        Assert.Equal(RefusalLog.LinesPerWindow, lines.Written.Count(l => l == $"Call {Submit} refused: MALFORMED_MESSAGE"));

        time.Advance(RefusalLog.Window);

        Assert.Equal($"Call {Submit} refused {1_000 - RefusalLog.LinesPerWindow} more times (MALFORMED_MESSAGE) in the last 60 s; not logged one by one",
            lines.Written[^1]);
        Assert.Equal(RefusalLog.LinesPerWindow + 3, lines.Written.Count);

        log.Refused(Submit, "MALFORMED_MESSAGE");
        time.Advance(RefusalLog.Window);

        Assert.Equal($"Call {Submit} refused: MALFORMED_MESSAGE", lines.Written[^1]);
        Assert.Equal(RefusalLog.LinesPerWindow + 4, lines.Written.Count);
    }

    [Fact]
    public void RefusalsOfMoreMethodsThanItTracks_ShareOneCount_SoMemoryStaysBounded()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lines = new LinesLogger<RefusalLog>();
        using var log = new RefusalLog(time, lines);

        for (var i = 0; i < RefusalLog.MaxTracked + 100; i++)
        {
            log.Refused("/made.up.Service/M" + i, "MALFORMED_MESSAGE");
        }
        time.Advance(RefusalLog.Window);

        Assert.Equal(RefusalLog.MaxTracked + RefusalLog.LinesPerWindow + 1, lines.Written.Count);
        Assert.Equal($"Call {RefusalLog.OtherMethods} refused {100 - RefusalLog.LinesPerWindow} more times (MALFORMED_MESSAGE) in the last 60 s; not logged one by one",
            lines.Written[^1]);
    }
}
