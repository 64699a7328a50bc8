using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Hotline.JsonlIntake;

namespace Hotline.Examples.Tests;

/// <summary>The adapter's request ids and retry decisions, without a server.</summary>
public sealed class JsonlIntakeUnitTests
{
    private static RpcException Error(Code code, string reason, TimeSpan? retryDelay = null)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = "refused" };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = reason, Domain = "hotline" }));
        if (retryDelay is { } delay)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
        }
        return status.ToRpcException();
    }

    [Fact]
    public void DelayAfter_RateLimitedWithRetryInfo_WaitsExactlyAsTheServerSays()
    {
        var wait = RetryPolicy.DelayAfter(Error(Code.ResourceExhausted, "RATE_LIMITED", TimeSpan.FromMilliseconds(1750)), 1, new Random(1));

        Assert.Equal(TimeSpan.FromMilliseconds(1750), wait);
    }

    [Fact]
    public void DelayAfter_UnavailableWithoutRetryInfo_BacksOffExponentiallyWithJitter()
    {
        var first = RetryPolicy.DelayAfter(Error(Code.Unavailable, "SHUTTING_DOWN"), 1, new Random(1))!.Value;
        var fifth = RetryPolicy.DelayAfter(Error(Code.Unavailable, "SHUTTING_DOWN"), 5, new Random(1))!.Value;
        var late = RetryPolicy.DelayAfter(Error(Code.Unavailable, "SHUTTING_DOWN"), 40, new Random(1))!.Value;

        Assert.InRange(first.TotalSeconds, 0.1, 0.3);
        Assert.InRange(fifth.TotalSeconds, 1.6, 4.8);
        Assert.InRange(late.TotalSeconds, 15, 45);
    }

    [Theory]
    [InlineData(Code.ResourceExhausted, "MESSAGE_TOO_LARGE")]
    [InlineData(Code.InvalidArgument, "INVALID_FIELDS")]
    [InlineData(Code.PermissionDenied, "PERMISSION_DENIED")]
    [InlineData(Code.Internal, "")]
    public void DelayAfter_FailureThatCannotSucceed_IsFinal(Code code, string reason) =>
        Assert.Null(RetryPolicy.DelayAfter(Error(code, reason), 1, new Random(1)));

    [Fact]
    public void Parse_SameLineFromTheSameSource_GetsTheSameRequestIdEveryTime()
    {
        const string Line = """{"channel":"CHANNEL_SMS","message":"help"}""";

        var once = IntakeLine.Parse(Line, "/exports/a.jsonl", out _, out _)!;
        var again = IntakeLine.Parse(Line, "/exports/a.jsonl", out _, out _)!;
        var elsewhere = IntakeLine.Parse(Line, "/exports/b.jsonl", out _, out _)!;

        Assert.Equal(once.RequestId, again.RequestId);
        Assert.NotEqual(once.RequestId, elsewhere.RequestId);
        Assert.Matches("^jsonl-[0-9a-f]{32}$", once.RequestId);
        Assert.Equal(Hotline.Contract.V1.Channel.Sms, once.Channel);
    }

    [Fact]
    public void Parse_SourceId_DecidesTheRequestIdWhateverElseTheLineSays()
    {
        var first = IntakeLine.Parse("""{"source_id":"pbx-7","channel":"CHANNEL_PHONE","message":"one"}""", "pbx", out _, out _)!;
        var edited = IntakeLine.Parse("""{"sourceId":"pbx-7","channel":"CHANNEL_PHONE","message":"one, re-exported"}""", "pbx", out _, out _)!;
        var own = IntakeLine.Parse("""{"request_id":"given-1","channel":"CHANNEL_PHONE","message":"one"}""", "pbx", out _, out _)!;

        Assert.Equal(first.RequestId, edited.RequestId);
        Assert.Equal("given-1", own.RequestId);
    }

    [Theory]
    [InlineData("""{"channel":"CHANNEL_SMS","message":"x","colour":"red"}""", null, "unknown field 'colour'")]
    [InlineData("""{"channel":"CHANNEL_SMS","message":42}""", "message", "message: not a valid string")]
    [InlineData("""{"channel":"CHANNEL_SMS","tags":"a"}""", "tags", "tags: not a valid list of strings")]
    [InlineData("""[1,2]""", null, "not a JSON object")]
    public void Parse_LineThatIsNotARequest_NamesTheFieldNotTheValue(string line, string? field, string problem)
    {
        Assert.Null(IntakeLine.Parse(line, "s", out var badField, out var why));
        Assert.Equal(field, badField);
        Assert.Equal(problem, why);
    }
}
