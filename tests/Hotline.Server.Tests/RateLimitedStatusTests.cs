using Google.Rpc;
using Grpc.Core;
using Hotline.Domain;
using Hotline.Server.Grpc;
using Hotline.Server.Mapping;

namespace Hotline.Server.Tests;

/// <summary>Every limit refuses the same way: one builder, so the shapes cannot drift apart.</summary>
public sealed class RateLimitedStatusTests
{
    [Theory]
    [InlineData("caller", true)]
    [InlineData(null, false)]
    public void RateLimited_CarriesReasonLimitRetryDelayAndPushbackAsAsked(string? limit, bool pushback)
    {
        var refusal = ErrorTranslation.RateLimited("Too many.", TimeSpan.FromMilliseconds(1_250), limit, pushback);

        Assert.Equal(StatusCode.ResourceExhausted, refusal.StatusCode);
        var info = RpcAssert.ErrorInfo(refusal);
        Assert.Equal(ErrorReasons.RateLimited, info.Reason);
        Assert.Equal(ErrorTranslation.ErrorDomain, info.Domain);
        Assert.Equal(limit, info.Metadata.TryGetValue("limit", out var named) ? named : null);
        var retry = refusal.GetRpcStatus()!.GetDetail<RetryInfo>();
        Assert.Equal(TimeSpan.FromMilliseconds(1_250), retry.RetryDelay.ToTimeSpan());
        Assert.Equal(pushback ? "1250" : null, refusal.Trailers.GetValue("grpc-retry-pushback-ms"));
    }
}
