using Google.Protobuf;
using Grpc.Core;
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
        await server.Services.GetRequiredService<LockdownSwitch>().LockdownAsync(CancellationToken.None);
        var request = new UnlockRequest { MasterKey = ByteString.CopyFrom(Convert.FromBase64String(HotlineTestServer.MasterKey)) };
        var service = ActivatorUtilities.CreateInstance<AdminGrpcService>(server.Services);

        var response = await service.Unlock(request, new DirectCallContext()).DefaultTimeout();

        Assert.False(response.AlreadyUnlocked);
        Assert.False(server.Services.GetRequiredService<LockdownSwitch>().IsLocked);
        Assert.Equal(32, request.MasterKey.Length);
        Assert.All(request.MasterKey.ToByteArray(), b => Assert.Equal(0, b));
    }

    /// <summary>A call made straight to the service object: no peer, no deadline, never cancelled.</summary>
    private sealed class DirectCallContext : ServerCallContext
    {
        protected override string MethodCore => "/hotline.v1.AdminService/Unlock";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "unix:test";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore { get; } = [];
        protected override CancellationToken CancellationTokenCore => CancellationToken.None;
        protected override Metadata ResponseTrailersCore { get; } = [];
        protected override Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore { get; } = new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
            throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
