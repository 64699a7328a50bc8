using Grpc.Net.Client;
using Hotline.Console.Demo;
using Hotline.Console.Tests.EndToEnd;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Model;

public sealed class DemoRequestsTests
{
    [Fact]
    public async Task DemoGivenTheWebFormsToken_IsAuditedAsTheWebForm()
    {
        await using var server = await ServerProcess.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["HOTLINE_SERVER"] = server.Address.ToString(),
            ["HOTLINE_TOKEN_FILE"] = server.TokenFile("anna"),
            ["HOTLINE_DEMO_TOKEN_FILE"] = server.TokenFile("web-form"),
        };
        var (options, error) = ConsoleOptions.Parse(["--demo"], environment.GetValueOrDefault);
        Assert.True(options is not null, error);
        using var demo = DemoIntake.For(options, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var running = demo.RunAsync(stop.Token);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var requests = new RequestService.RequestServiceClient(channel);
        HelpRequest? first = null;
        var deadline = DateTime.UtcNow + TaskTimeouts.Default;
        while (first is null && DateTime.UtcNow < deadline)
        {
            var list = await requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 1 }, server.As("lena")).ResponseAsync.DefaultTimeout();
            first = list.Requests.FirstOrDefault();
            await Task.Delay(first is null ? 100 : 0);
        }
        await stop.CancelAsync();
        await running.DefaultTimeout();

        Assert.NotNull(first);
        var trail = await new AuditService.AuditServiceClient(channel)
            .ListAuditEventsAsync(new ListAuditEventsRequest { Request = first.Name }, server.As("lena")).ResponseAsync.DefaultTimeout();
        Assert.Equal("operators/web-form", trail.Events.Single(e => e.Action == AuditAction.Submitted).Actor);
    }

    [Fact]
    public void LaterDemoRequests_SometimesComeAgainFromASeededRequester()
    {
        var seeded = DemoRequests.Seed().ToList();
        var seededHandles = seeded.Select(r => r.ContactHandle).ToHashSet();
        var random = new Random(7);

        var later = Enumerable.Range(0, 300).Select(_ => DemoRequests.Next(random)).ToList();
        var repeats = later.Where(r => seededHandles.Contains(r.ContactHandle)).ToList();

        // About a third, each with the message of the seeded request it repeats.
        Assert.InRange(repeats.Count, 60, 140);
        Assert.All(repeats, r => Assert.Contains(seeded, s => s.ContactHandle == r.ContactHandle && s.Message == r.Message));
        Assert.Equal(later.Count, later.Select(r => r.RequestId).Distinct().Count());
    }
}
