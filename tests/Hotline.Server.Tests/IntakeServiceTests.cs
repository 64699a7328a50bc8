using Grpc.Core;
using Hotline.Contract.V1;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests;

public sealed class IntakeServiceTests
{
    [Fact]
    public async Task Submit_ValidRequest_ReturnsReceiptAndStoresEveryField()
    {
        await using var server = await StartAsync();
        var receipt = await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = "form-1",
            Channel = Channel.Signal,
            ContactHandle = "+7 900 000-00-00",
            Language = "ce",
            Message = "Суна гӀо оьшу. Тхо лоьху.\nВторая строка",
            Urgency = Urgency.ImmediateDanger,
            Region = "Грозный",
            Tags = { "evac", "family" },
        }, As(Intake)).ResponseAsync.DefaultTimeout();

        Assert.StartsWith("requests/", receipt.Name, StringComparison.Ordinal);
        Assert.Equal(1, receipt.Number);
        Assert.False(receipt.Duplicate);

        var stored = (await server.Requests.GetRequestAsync(new GetRequestRequest { Name = receipt.Name }, As(Supervisor)).ResponseAsync.DefaultTimeout()).Request;
        Assert.Equal(Channel.Signal, stored.Channel);
        Assert.Equal("+7 900 000-00-00", stored.ContactHandle);
        Assert.Equal("ce", stored.Language);
        Assert.Equal("Суна гӀо оьшу. Тхо лоьху.\nВторая строка", stored.Message);
        Assert.Equal(Urgency.ImmediateDanger, stored.Urgency);
        Assert.Equal("Грозный", stored.Region);
        Assert.Equal(["evac", "family"], stored.Tags);
        Assert.Equal(RequestState.New, stored.State);
        Assert.Equal(receipt.CreateTime, stored.CreateTime);
        Assert.NotEmpty(stored.Etag);
        Assert.True(stored.Revision > 0);
    }

    [Fact]
    public async Task Submit_SameRequestIdTwice_ReturnsFirstReceiptAndCreatesNothing()
    {
        await using var server = await StartAsync();
        var first = await server.SubmitAsync("first", requestId: "webhook-42");
        var second = await server.SubmitAsync("a retried webhook with other text", requestId: "webhook-42");

        Assert.Equal(first.Name, second.Name);
        Assert.Equal(first.Number, second.Number);
        Assert.True(second.Duplicate);
        var list = await server.Requests.ListRequestsAsync(new ListRequestsRequest(), As(OperatorId(1))).ResponseAsync.DefaultTimeout();
        Assert.Equal(1, list.TotalSize);
        Assert.Equal("first", list.Requests[0].Message);
    }

    [Fact]
    public async Task Submit_ManyRequests_GetsConsecutiveShortNumbers()
    {
        await using var server = await StartAsync();
        var receipts = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => server.SubmitAsync()));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), receipts.Select(r => r.Number).Order());
        Assert.Equal(40, receipts.Select(r => r.Name).Distinct().Count());
    }

    [Fact]
    public async Task Submit_InvalidFields_IsInvalidArgumentNamingEachFieldWithoutEchoingContent()
    {
        await using var server = await StartAsync();
        var secretHandle = "canary-handle-" + new string('x', 300);
        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, () => server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = "bad id with spaces",
            Channel = Channel.Unspecified,
            ContactHandle = secretHandle,
            Language = "not a language",
            Message = new string('я', 8_001),
            Urgency = (Urgency)42,
            Tags = { "two words" },
        }, As(Intake)).ResponseAsync);

        Assert.Equal("INVALID_FIELDS", RpcAssert.ErrorInfo(ex).Reason);
        var fields = RpcAssert.BadRequest(ex).FieldViolations.Select(v => v.Field).ToHashSet();
        Assert.Equal(["request_id", "channel", "contact_handle", "language", "message", "urgency", "tags[0]"], fields);
        Assert.DoesNotContain("canary-handle", ex.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("яяя", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_MessageAtLimitInCodePoints_IsAccepted()
    {
        await using var server = await StartAsync();
        // 8,000 code points of astral-plane characters are 16,000 UTF-16 units: the limit is in characters.
        var receipt = await server.SubmitAsync(string.Concat(Enumerable.Repeat("🆘", 8_000)));
        Assert.Equal(1, receipt.Number);
    }

    [Fact]
    public async Task Submit_NothingStoredAfterRejection_AndLaterValidSubmitWorks()
    {
        await using var server = await StartAsync();
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, () => server.Intakes.SubmitRequestAsync(
            new SubmitRequestRequest { RequestId = "x", Channel = Channel.Sms, Message = "   " }, As(Intake)).ResponseAsync);
        var receipt = await server.SubmitAsync("real");
        Assert.Equal(1, receipt.Number);
    }

    [Fact]
    public async Task IntakeCaller_CannotReadRequests()
    {
        await using var server = await StartAsync();
        var receipt = await server.SubmitAsync();
        await RpcAssert.FailsWithReasonAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED",
            () => server.Requests.GetRequestAsync(new GetRequestRequest { Name = receipt.Name }, As(Intake)).ResponseAsync);
        await RpcAssert.FailsWithReasonAsync(StatusCode.PermissionDenied, "PERMISSION_DENIED",
            () => server.Requests.ListRequestsAsync(new ListRequestsRequest(), As(Intake)).ResponseAsync);
    }

    [Fact]
    public async Task UnknownOrDisabledCaller_IsUnauthenticated()
    {
        await using var server = await StartAsync();
        await RpcAssert.FailsWithReasonAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED",
            () => server.Operators.WhoAmIAsync(new WhoAmIRequest(), As("nobody")).ResponseAsync);
        await RpcAssert.FailsWithReasonAsync(StatusCode.Unauthenticated, "OPERATOR_DISABLED",
            () => server.Operators.WhoAmIAsync(new WhoAmIRequest(), As(Disabled)).ResponseAsync);
    }
}
