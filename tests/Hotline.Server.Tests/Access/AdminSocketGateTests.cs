using Grpc.Core;
using Hotline.Contract.V1;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests.Access;

/// <summary>AdminService answers only on the admin socket, however its path is spelled.</summary>
public sealed class AdminSocketGateTests
{
    [Theory]
    [InlineData("hotline.v1.AdminService")]
    [InlineData("HOTLINE.V1.ADMINSERVICE")]
    [InlineData("Hotline.V1.adminservice")]
    public async Task AdminServiceOverTcp_InAnyCase_IsNotServed(string service)
    {
        await using var server = await StartAsync();
        var lockdown = new Method<LockdownRequest, LockdownResponse>(MethodType.Unary, service, "Lockdown",
            Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), LockdownRequest.Parser.ParseFrom),
            Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), LockdownResponse.Parser.ParseFrom));

        var refused = await RpcAssert.FailsAsync(StatusCode.Unimplemented,
            () => server.Channel.CreateCallInvoker().AsyncUnaryCall(lockdown, null, As(Administrator), new LockdownRequest()).ResponseAsync);

        Assert.Contains("only on the admin socket", refused.Status.Detail, StringComparison.Ordinal);
    }
}
