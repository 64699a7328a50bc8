using Google.Protobuf;
using Hotline.Contract.V1;
using Hotline.Server.Admin;
using Microsoft.Extensions.DependencyInjection;

namespace Hotline.Server.Tests.Admin;

/// <summary>The master key an admin sends to unlock does not stay in the server's memory after the call (issue 11, item 1, in part).</summary>
public sealed class UnlockKeyErasureTests
{
    [Fact]
    public async Task Unlock_ErasesTheKeyBytesItWasSent_AfterUsingThem()
    {
        await using var server = await HotlineTestServer.StartAsync();
        server.Services.GetRequiredService<LockdownSwitch>().Lockdown();
        var request = new UnlockRequest { MasterKey = ByteString.CopyFrom(Convert.FromBase64String(HotlineTestServer.MasterKey)) };
        var service = ActivatorUtilities.CreateInstance<AdminGrpcService>(server.Services);

        var response = await service.Unlock(request, context: null!).DefaultTimeout();

        Assert.False(response.AlreadyUnlocked);
        Assert.False(server.Services.GetRequiredService<LockdownSwitch>().IsLocked);
        Assert.Equal(32, request.MasterKey.Length);
        Assert.All(request.MasterKey.ToByteArray(), b => Assert.Equal(0, b));
    }
}
