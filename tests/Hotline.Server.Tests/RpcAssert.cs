using Google.Rpc;
using Grpc.Core;

namespace Hotline.Server.Tests;

/// <summary>Asserts on gRPC errors the way clients read them: status code plus google.rpc details.</summary>
internal static class RpcAssert
{
    public static async Task<RpcException> FailsAsync(StatusCode code, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => call().DefaultTimeout());
        Assert.Equal(code, ex.StatusCode);
        return ex;
    }

    public static async Task<ErrorInfo> FailsWithReasonAsync(StatusCode code, string reason, Func<Task> call)
    {
        var ex = await FailsAsync(code, call);
        var info = ErrorInfo(ex);
        Assert.Equal(reason, info.Reason);
        Assert.Equal("hotline", info.Domain);
        return info;
    }

    public static ErrorInfo ErrorInfo(RpcException ex)
    {
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        var info = status.GetDetail<ErrorInfo>();
        Assert.NotNull(info);
        return info;
    }

    public static BadRequest BadRequest(RpcException ex)
    {
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        var badRequest = status.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        return badRequest;
    }
}
