using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Server.Access;
using Hotline.Server.Admin;
using Microsoft.Extensions.DependencyInjection;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests.Access;

/// <summary>A revoked token stops working on the next call, and an open watch stream ends at once.</summary>
public sealed class RevocationTests
{
    private static readonly string Anna = OperatorId(1);
    private static readonly string Timur = OperatorId(2);

    public static TheoryData<string> Revocations => ["rotate", "disable"];

    [Theory]
    [MemberData(nameof(Revocations))]
    public async Task Revocation_EndsOpenWatchWithTokenRevoked_AndRefusesTheNextCall(string how)
    {
        await using var server = await StartAsync();
        var operators = server.Services.GetRequiredService<OperatorAdministration>();
        using var cts = new CancellationTokenSource();
        using var annaWatch = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        using var timurWatch = server.Requests.WatchRequests(new WatchRequestsRequest(), Streaming(Timur, cts.Token));
        await new WatchFeed(annaWatch).ReadSnapshotAsync();
        await new WatchFeed(timurWatch).ReadSnapshotAsync();

        var ended = how == "rotate"
            ? (await operators.RotateAsync(Anna, CancellationToken.None).DefaultTimeout()).EndedSessions
            : (await operators.SetDisabledAsync(Anna, true, CancellationToken.None).DefaultTimeout()).EndedSessions;

        Assert.Equal(1, ended);
        var error = await Assert.ThrowsAsync<RpcException>(() => ReadUntilEndAsync(annaWatch)).DefaultTimeout();
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("TOKEN_REVOKED", RpcAssert.ErrorInfo(error).Reason);
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated,
            () => server.Operators.WhoAmIAsync(new WhoAmIRequest(), As(Anna)).ResponseAsync);

        // Nobody else's session is touched.
        var receipt = await server.SubmitAsync();
        var change = await new WatchFeed(timurWatch).NextChangeAsync();
        Assert.Equal(receipt.Name, change.Name);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task RotatedToken_Works_OldOneDoesNot()
    {
        await using var server = await StartAsync();
        var issued = await server.Services.GetRequiredService<OperatorAdministration>().RotateAsync(Anna, CancellationToken.None).DefaultTimeout();
        var fresh = new CallOptions(new Metadata { { "authorization", "Bearer " + issued.Token } }, DateTime.UtcNow.AddSeconds(20));
        var me = await server.Operators.WhoAmIAsync(new WhoAmIRequest(), fresh).ResponseAsync.DefaultTimeout();
        Assert.Equal("operators/" + Anna, me.Operator.Name);
        await RpcAssert.FailsWithReasonAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED",
            () => server.Operators.WhoAmIAsync(new WhoAmIRequest(), As(Anna)).ResponseAsync);
    }

    [Fact]
    public async Task EndMySession_RevokesOwnTokenAndEndsOwnWatchesEverywhere()
    {
        await using var server = await StartAsync();
        using var cts = new CancellationTokenSource();
        using var laptop = server.NewChannel();
        using var desktop = server.NewChannel();
        using var laptopWatch = new RequestService.RequestServiceClient(laptop).WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        using var desktopWatch = new RequestService.RequestServiceClient(desktop).WatchRequests(new WatchRequestsRequest(), Streaming(Anna, cts.Token));
        await new WatchFeed(laptopWatch).ReadSnapshotAsync();
        await new WatchFeed(desktopWatch).ReadSnapshotAsync();

        var response = await new OperatorService.OperatorServiceClient(laptop).EndMySessionAsync(new EndMySessionRequest(), As(Anna)).ResponseAsync.DefaultTimeout();

        Assert.Equal(2, response.EndedSessions);
        foreach (var watch in new[] { laptopWatch, desktopWatch })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => ReadUntilEndAsync(watch)).DefaultTimeout();
            Assert.Equal("TOKEN_REVOKED", RpcAssert.ErrorInfo(error).Reason);
        }
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => server.Requests.ListRequestsAsync(new ListRequestsRequest(), As(Anna)).ResponseAsync);
        var account = server.Services.GetRequiredService<OperatorDirectory>().Records.Single(r => r.Id == Anna);
        Assert.Null(account.TokenHash);
        Assert.False(account.Account.Disabled);
        await server.Operators.WhoAmIAsync(new WhoAmIRequest(), As(Timur)).ResponseAsync.DefaultTimeout();
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Revocations_AreDurable_AcrossRestart()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-test-" + Guid.NewGuid().ToString("N"));
        // Stopped, not disposed, until the end: disposing deletes the data directory.
        await using var first = await StartAsync(dataDirectory: dataDirectory);
        await first.Services.GetRequiredService<OperatorAdministration>().SetDisabledAsync(Timur, true, CancellationToken.None).DefaultTimeout();
        await first.Operators.EndMySessionAsync(new EndMySessionRequest(), As(Anna)).ResponseAsync.DefaultTimeout();
        await first.StopAsync();
        await using var second = await StartAsync(dataDirectory: dataDirectory);
        await RpcAssert.FailsWithReasonAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED",
            () => second.Operators.WhoAmIAsync(new WhoAmIRequest(), As(Anna)).ResponseAsync);
        await RpcAssert.FailsWithReasonAsync(StatusCode.Unauthenticated, "OPERATOR_DISABLED",
            () => second.Operators.WhoAmIAsync(new WhoAmIRequest(), As(Timur)).ResponseAsync);
        await second.Operators.WhoAmIAsync(new WhoAmIRequest(), As(OperatorId(3))).ResponseAsync.DefaultTimeout();
    }

    [Fact]
    public async Task WatchOpenedWithRevokedToken_IsRefused()
    {
        await using var server = await StartAsync();
        await server.Operators.EndMySessionAsync(new EndMySessionRequest(), As(Anna)).ResponseAsync.DefaultTimeout();
        using var watch = server.Requests.WatchRequests(new WatchRequestsRequest(), As(Anna));
        var error = await Assert.ThrowsAsync<RpcException>(() => ReadUntilEndAsync(watch)).DefaultTimeout();
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(0, server.Services.GetRequiredService<SessionRegistry>().Count);
    }

    internal static async Task ReadUntilEndAsync(AsyncServerStreamingCall<WatchRequestsResponse> call)
    {
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
        }
    }
}
