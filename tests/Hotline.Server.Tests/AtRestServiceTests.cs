using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Server.Admin;
using Microsoft.Extensions.DependencyInjection;
using static Hotline.Server.Tests.HotlineTestServer;
using DomainException = Hotline.Domain.DomainException;
using ErrorReasons = Hotline.Domain.ErrorReasons;
using IKeyVault = Hotline.Domain.IKeyVault;

namespace Hotline.Server.Tests;

/// <summary>Earlier contacts, the audit service and lockdown, as clients of the contract see them.</summary>
public sealed class AtRestServiceTests
{
    private static readonly string Anna = OperatorId(1);

    [Fact]
    public async Task RepeatContacts_InDifferentFormats_ShowAsEarlierContactsAndCanBeOpened()
    {
        await using var server = await StartAsync();
        var names = new List<string>();
        foreach (var (channel, handle) in new[] { (Channel.Phone, "+7 (912) 345-67-89"), (Channel.Sms, "79123456789"), (Channel.Whatsapp, "007-912-345-67-89") })
        {
            names.Add((await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
            {
                RequestId = Guid.NewGuid().ToString(),
                Channel = channel,
                ContactHandle = handle,
                Message = "again",
            }, As(Intake)).ResponseAsync.DefaultTimeout()).Name);
        }

        var latest = await server.Requests.GetRequestAsync(new GetRequestRequest { Name = names[2] }, As(Anna)).ResponseAsync.DefaultTimeout();
        var first = await server.Requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = names[2], PageSize = 1 }, As(Anna)).ResponseAsync.DefaultTimeout();
        var second = await server.Requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = names[2], PageSize = 1, PageToken = first.NextPageToken },
            As(Anna)).ResponseAsync.DefaultTimeout();

        Assert.Equal(2, latest.Request.EarlierContactCount);
        Assert.Equal([names[1]], first.Requests.Select(r => r.Name));
        Assert.Equal([names[0]], second.Requests.Select(r => r.Name));
        Assert.Equal(2, first.TotalSize);
        Assert.Empty(second.NextPageToken);
        await RpcAssert.FailsWithReasonAsync(StatusCode.InvalidArgument, "INVALID_FIELDS", () =>
            server.Requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = names[0], PageToken = first.NextPageToken }, As(Anna)).ResponseAsync);
        await RpcAssert.FailsWithReasonAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            server.Requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = names[0] }, As(Intake)).ResponseAsync);
    }

    [Fact]
    public async Task AuditService_ListsARequestsTrailForSupervisors_AndVerifiesTheChain()
    {
        await using var server = await StartAsync();
        var audit = new AuditService.AuditServiceClient(server.Channel);
        var name = (await server.SubmitAsync()).Name;
        await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, As(Anna)).ResponseAsync.DefaultTimeout();
        await server.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, As(Anna)).ResponseAsync.DefaultTimeout();
        await server.Requests.ListRequestsAsync(new ListRequestsRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout();

        var page = await audit.ListAuditEventsAsync(new ListAuditEventsRequest { Request = name, PageSize = 3 }, As(Supervisor)).ResponseAsync.DefaultTimeout();
        var rest = await audit.ListAuditEventsAsync(new ListAuditEventsRequest { Request = name, PageToken = page.NextPageToken }, As(Supervisor)).ResponseAsync.DefaultTimeout();
        var verified = await audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), As(Supervisor)).ResponseAsync.DefaultTimeout();

        Assert.Equal([AuditAction.Submitted, AuditAction.Assigned, AuditAction.Read], page.Events.Select(e => e.Action));
        Assert.Equal(["operators/" + Intake, "operators/" + Anna, "operators/" + Anna], page.Events.Select(e => e.Actor));
        Assert.All(page.Events, e => Assert.Equal([name], e.Requests));
        Assert.Equal([AuditAction.Listed], rest.Events.Select(e => e.Action));
        Assert.Equal("operators/" + Supervisor, rest.Events[0].Actor);
        Assert.Empty(rest.NextPageToken);
        Assert.True(verified.Intact, verified.Detail);
        Assert.Equal(AuditChainProblem.Unspecified, verified.Problem);
        Assert.Equal(rest.Events[0].Sequence, verified.HeadSequence);
        Assert.Equal(rest.Events[0].Hash, verified.HeadHash);
        await RpcAssert.FailsWithReasonAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            audit.ListAuditEventsAsync(new ListAuditEventsRequest { Request = name }, As(Anna)).ResponseAsync);
        await RpcAssert.FailsWithReasonAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED", () =>
            audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), As(Intake)).ResponseAsync);
    }

    [Fact]
    public async Task Lockdown_WhileAWriteWaitsForASlowReader_StillEndsTheStreamSayingLockedDown()
    {
        // A snapshot far larger than the HTTP/2 flow-control window: with the client not reading,
        // the server is left waiting inside a write when the lockdown comes. The stream must still
        // end with the status saying why, not a bare reset.
        await using var server = await StartAsync();
        var message = new string('ж', 3_000);
        foreach (var chunk in Enumerable.Range(0, 400).Chunk(50))
        {
            await Task.WhenAll(chunk.Select(_ => server.SubmitAsync(message))).DefaultTimeout();
        }
        using var cts = new CancellationTokenSource();
        using var watch = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token).DefaultTimeout());
        await Task.Delay(TimeSpan.FromSeconds(1));

        await server.Services.GetRequiredService<LockdownSwitch>().LockdownAsync(CancellationToken.None);

        var received = 1;
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await watch.ResponseStream.MoveNext(cts.Token).DefaultTimeout())
            {
                received++;
            }
        });
        Assert.True(received < 5, $"the stream went on for {received} messages after the lockdown");
        Assert.Equal((StatusCode.Unavailable, "LOCKED_DOWN"), (ended.StatusCode, RpcAssert.ErrorInfo(ended).Reason));
    }

    [Fact]
    public async Task Lockdown_RefusesContentEndsWatchesSurvivesRestart_AndOnlyTheMasterKeyLiftsIt()
    {
        var first = await StartAsync();
        var name = (await first.SubmitAsync("держимся")).Name;
        using var cts = new CancellationTokenSource();
        using var watch = first.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token).DefaultTimeout());

        await first.Services.GetRequiredService<LockdownSwitch>().LockdownAsync(CancellationToken.None);

        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await watch.ResponseStream.MoveNext(cts.Token).DefaultTimeout())
            {
            }
        });
        Assert.Equal((StatusCode.Unavailable, "LOCKED_DOWN"), (ended.StatusCode, RpcAssert.ErrorInfo(ended).Reason));
        await AssertLockedAsync(first, name);
        await first.StopAsync();

        await using (var restarted = await StartAsync(dataDirectory: first.DataDirectory))
        {
            await AssertLockedAsync(restarted, name);
            var vault = restarted.Services.GetRequiredService<IKeyVault>();
            var wrong = await Assert.ThrowsAsync<DomainException>(() => vault.UnlockAsync(new byte[32], "admin", CancellationToken.None));
            Assert.Equal(ErrorReasons.MasterKeyMismatch, wrong.Reason);
            Assert.True(vault.IsLocked);

            await vault.UnlockAsync(Convert.FromBase64String(MasterKey), "admin", CancellationToken.None);

            var read = await restarted.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, As(Anna)).ResponseAsync.DefaultTimeout();
            Assert.Equal("держимся", read.Request.Message);
            await restarted.SubmitAsync("после");
        }
        await first.DisposeAsync();
    }

    private static async Task AssertLockedAsync(HotlineTestServer server, string name)
    {
        await RpcAssert.FailsWithReasonAsync(StatusCode.FailedPrecondition, "LOCKED_DOWN", () =>
            server.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, As(Anna)).ResponseAsync);
        await RpcAssert.FailsWithReasonAsync(StatusCode.FailedPrecondition, "LOCKED_DOWN", () =>
            server.Requests.ListRequestsAsync(new ListRequestsRequest(), As(Anna)).ResponseAsync);
        await RpcAssert.FailsWithReasonAsync(StatusCode.Unavailable, "LOCKED_DOWN", () => server.SubmitAsync());
        await RpcAssert.FailsWithReasonAsync(StatusCode.Unavailable, "LOCKED_DOWN", () =>
            server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, As(Anna)).ResponseAsync);
        await RpcAssert.FailsWithReasonAsync(StatusCode.FailedPrecondition, "LOCKED_DOWN", () =>
            new AuditService.AuditServiceClient(server.Channel).VerifyAuditChainAsync(new VerifyAuditChainRequest(), As(Supervisor)).ResponseAsync);
        using var cts = new CancellationTokenSource();
        using var watch = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        var refused = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(cts.Token).DefaultTimeout());
        Assert.Equal((StatusCode.FailedPrecondition, "LOCKED_DOWN"), (refused.StatusCode, RpcAssert.ErrorInfo(refused).Reason));
    }
}
