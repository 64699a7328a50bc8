using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;
using Hotline.Contract.Client;
using Hotline.Contract.V1;
using Hotline.Server.Tests.Transport;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// <see cref="HotlineChannel"/> given several addresses, against real server processes: the first
/// address that answers takes the calls, a dead one is passed over, and pinning binds every address.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class ChannelFailoverTests : IDisposable
{
    private readonly string _first = Path.Combine(Path.GetTempPath(), "hotline-failover-a-" + Guid.NewGuid().ToString("N"));
    private readonly string _second = Path.Combine(Path.GetTempPath(), "hotline-failover-b-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task FirstAddressDownFromTheStart_CallsGoToTheSecond()
    {
        await using var server = await ServerProcess.StartAsync(_second);
        using var channel = HotlineChannel.Create([Nothing(), server.Address]);

        var receipt = await new IntakeService.IntakeServiceClient(channel)
            .SubmitRequestAsync(Submission("first-down"), ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();

        var stored = await server.Requests.GetRequestAsync(new GetRequestRequest { Name = receipt.Name }, ServerProcess.As(ServerProcess.Supervisor))
            .ResponseAsync.DefaultTimeout();
        Assert.Equal(receipt.Name, stored.Request.Name);
    }

    [Fact]
    public async Task BothUp_TheFirstTakesTheCalls_AndWhenItDiesTheNextCallGoesToTheSecond()
    {
        await using var first = await ServerProcess.StartAsync(_first);
        await using var second = await ServerProcess.StartAsync(_second);
        using var channel = HotlineChannel.Create([first.Address, second.Address]);
        var intake = new IntakeService.IntakeServiceClient(channel);

        var before = await intake.SubmitRequestAsync(Submission("before"), ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
        Assert.True(await HoldsAsync(first, before.Name));
        Assert.False(await HoldsAsync(second, before.Name));

        await first.KillHardAsync();
        var after = await SubmitRetryingAsync(intake, "after");

        Assert.True(await HoldsAsync(second, after.Name));
    }

    [Fact]
    public async Task Tls_TheAddressFailedOverToMustPresentAPinnedCertificate()
    {
        using var certificate = TestCertificate.Create("127.0.0.1");
        using var other = TestCertificate.Create("127.0.0.1");
        await using var server = await ServerProcess.StartAsync(_second, ["--listen", "https://127.0.0.1:0", .. certificate.ServerArguments]);
        var down = new UriBuilder(Nothing()) { Scheme = Uri.UriSchemeHttps }.Uri;

        SubmitRequestResponse accepted;
        using (var pinned = HotlineChannel.Create([down, server.Address], [certificate.Pin]))
        {
            accepted = await new IntakeService.IntakeServiceClient(pinned)
                .SubmitRequestAsync(Submission("pinned"), ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
        }
        using (var wrongPin = HotlineChannel.Create([down, server.Address], [other.Pin]))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => new IntakeService.IntakeServiceClient(wrongPin)
                .SubmitRequestAsync(Submission("unpinned"), ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout());
            // Refused at the TLS handshake (grpc-dotnet reports it as INTERNAL over a balanced channel), never trusted.
            Assert.True(Causes(refused).OfType<AuthenticationException>().Any(), refused.ToString());
        }

        Assert.True(await HoldsAsync(server, accepted.Name, tls: certificate));
        // Refused before anything was sent: the server holds the one submission that got through.
        Assert.Equal(1, await CountAsync(server, certificate));
    }

    /// <summary>
    /// The call in flight when a server dies fails UNAVAILABLE (it may or may not have been
    /// stored); an integration retries it with the same request_id, as here.
    /// </summary>
    private static async Task<SubmitRequestResponse> SubmitRetryingAsync(IntakeService.IntakeServiceClient intake, string requestId)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await intake.SubmitRequestAsync(Submission(requestId), ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
            }
            catch (RpcException error) when (error.StatusCode == StatusCode.Unavailable && attempt < 3)
            {
            }
        }
    }

    /// <summary>Whether the server holds the request <paramref name="name"/>, asked through its own address only.</summary>
    private static async Task<bool> HoldsAsync(ServerProcess server, string name, TestCertificate? tls = null)
    {
        using var channel = HotlineChannel.Create(server.Address, tls is null ? null : [tls.Pin]);
        try
        {
            await new RequestService.RequestServiceClient(channel)
                .GetRequestAsync(new GetRequestRequest { Name = name }, ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout();
            return true;
        }
        catch (RpcException error) when (error.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task<int> CountAsync(ServerProcess server, TestCertificate tls)
    {
        using var channel = HotlineChannel.Create(server.Address, [tls.Pin]);
        var list = await new RequestService.RequestServiceClient(channel)
            .ListRequestsAsync(new ListRequestsRequest { PageSize = 100 }, ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout();
        return list.Requests.Count;
    }

    private static IEnumerable<Exception> Causes(RpcException error)
    {
        for (Exception? cause = error.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }

    private static SubmitRequestRequest Submission(string requestId) =>
        new() { RequestId = requestId, Channel = Channel.WebForm, Message = "failover test " + requestId };

    /// <summary>A loopback address nothing listens on: a port the system handed out and took back.</summary>
    private static Uri Nothing()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    public void Dispose()
    {
        foreach (var directory in new[] { _first, _second })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
