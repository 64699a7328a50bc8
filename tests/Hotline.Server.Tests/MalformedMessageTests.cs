using System.IO.Compression;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Hotline.Contract.V1;
using Hotline.Server.Hosting;
using ServerReflectionRequest = Grpc.Reflection.V1Alpha.ServerReflectionRequest;

namespace Hotline.Server.Tests;

/// <summary>
/// Bodies no generated client sends, before any token is checked: each gets a documented status
/// with ErrorInfo, never UNKNOWN or INTERNAL (issue 11, item 5).
/// </summary>
public sealed class MalformedMessageTests
{
    private const string Submit = "/hotline.v1.IntakeService/SubmitRequest";

    private static readonly byte[] Valid = new SubmitRequestRequest { RequestId = "r1", Message = "help" }.ToByteArray();

    public static TheoryData<string> Bodies => [.. MalformedBodies.Keys];

    private static readonly Dictionary<string, (byte[] Body, string? Encoding)> MalformedBodies = new()
    {
        ["a field longer than the message"] = (RawGrpc.Frame([0x0A, 0x05, 0x41]), null),
        ["tag zero"] = (RawGrpc.Frame([0x00]), null),
        ["a varint of eleven bytes"] = (RawGrpc.Frame([0x08, .. Enumerable.Repeat((byte)0xFF, 10), 0x01]), null),
        ["an end-group tag with no group"] = (RawGrpc.Frame([0x0C]), null),
        ["no message at all"] = ([], null),
        ["a header cut short"] = ([0, 0, 0], null),
        ["a message cut short"] = (RawGrpc.Frame([0x0A, 0x01], 0, declaredLength: 10), null),
        ["two messages"] = ([.. RawGrpc.Frame(Valid), .. RawGrpc.Frame(Valid)], null),
        ["compressed flag 2"] = (RawGrpc.Frame(Valid, flag: 2), null),
        ["compressed with no grpc-encoding"] = (RawGrpc.Frame(Gzip(Valid), flag: 1), null),
        // A gzip header, then a deflate block of the reserved type 3.
        ["gzip that does not inflate"] = (RawGrpc.Frame([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03, 0xFF, 0xFF, 0xFF, 0xFF], flag: 1), "gzip"),
        ["gzip of bytes that do not parse"] = (RawGrpc.Frame(Gzip([0x0A, 0x05, 0x41]), flag: 1), "gzip"),
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task ABodyThatIsNotOneWellFormedRequest_IsInvalidArgumentMalformedMessage(string body)
    {
        await using var server = await HotlineTestServer.StartAsync();
        using var http = RawGrpc.NewHttpClient();
        var (bytes, encoding) = MalformedBodies[body];

        var outcome = await RawGrpc.PostAsync(http, server.Address, Submit, bytes,
            headers: encoding is null ? null : new Dictionary<string, string> { ["grpc-encoding"] = encoding }).DefaultTimeout();

        Assert.Equal(200, outcome.HttpStatus);
        Assert.Equal(StatusCode.InvalidArgument, outcome.Code);
        Assert.Equal("MALFORMED_MESSAGE", outcome.Info?.Reason);
        Assert.Equal("hotline", outcome.Info?.Domain);
    }

    [Fact]
    public async Task CompressedRequests_AreInflatedUpToTheSizeLimit_AndABombIsResourceExhaustedMessageTooLarge()
    {
        await using var server = await HotlineTestServer.StartAsync();
        using var http = RawGrpc.NewHttpClient();
        var gzip = new Dictionary<string, string> { ["grpc-encoding"] = "gzip" };
        // 4 MB of one letter inflates from about 4 KB: a valid SubmitRequest sixteen times the limit.
        var bomb = new SubmitRequestRequest { RequestId = "bomb", Message = new string('a', 4_000_000) }.ToByteArray();

        var health = await RawGrpc.PostAsync(http, server.Address, "/grpc.health.v1.Health/Check",
            RawGrpc.Frame(Gzip(new HealthCheckRequest().ToByteArray()), flag: 1), headers: gzip).DefaultTimeout();
        var refused = await RawGrpc.PostAsync(http, server.Address, Submit, RawGrpc.Frame(Gzip(bomb), flag: 1), headers: gzip).DefaultTimeout();

        Assert.Equal(StatusCode.OK, health.Code);
        Assert.True(Gzip(bomb).Length < Grpc.RequestMessageCheck.MaxReceiveMessageBytes);
        Assert.Equal(StatusCode.ResourceExhausted, refused.Code);
        Assert.Equal("MESSAGE_TOO_LARGE", refused.Info?.Reason);
        Assert.Equal("262144", refused.Info?.Metadata["max_bytes"]);
    }

    [Fact]
    public async Task AHeaderDeclaringMoreThanTheLimit_IsResourceExhaustedMessageTooLarge_WithoutWaitingForTheBody()
    {
        await using var server = await HotlineTestServer.StartAsync();
        using var http = RawGrpc.NewHttpClient();

        var outcome = await RawGrpc.PostAsync(http, server.Address, Submit, RawGrpc.Frame([0x0A], 0, declaredLength: 64_000_000)).DefaultTimeout();

        Assert.Equal(StatusCode.ResourceExhausted, outcome.Code);
        Assert.Equal("MESSAGE_TOO_LARGE", outcome.Info?.Reason);
    }

    [Fact]
    public async Task AnEncodingTheServerDoesNotInflate_OrAnyOnAStream_IsUnimplementedUnsupportedEncoding()
    {
        await using var server = await HotlineTestServer.StartAsync();
        using var http = RawGrpc.NewHttpClient();

        var unary = await RawGrpc.PostAsync(http, server.Address, Submit, RawGrpc.Frame(Valid, flag: 1),
            headers: new Dictionary<string, string> { ["grpc-encoding"] = "snappy" }).DefaultTimeout();
        var stream = await RawGrpc.PostAsync(http, server.Address, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            RawGrpc.Frame(Gzip(new ServerReflectionRequest { ListServices = "" }.ToByteArray()), flag: 1),
            headers: new Dictionary<string, string> { ["grpc-encoding"] = "gzip" }).DefaultTimeout();

        Assert.Equal(StatusCode.Unimplemented, unary.Code);
        Assert.Equal("UNSUPPORTED_ENCODING", unary.Info?.Reason);
        Assert.Equal("identity,gzip,deflate", unary.Info?.Metadata["accepted"]);
        Assert.Equal(StatusCode.Unimplemented, stream.Code);
        Assert.Equal("UNSUPPORTED_ENCODING", stream.Info?.Reason);
        Assert.Equal("identity", stream.Info?.Metadata["accepted"]);
    }

    [Fact]
    public async Task MalformedMessages_ToHealthAndReflection_AreInvalidArgumentMalformedMessage()
    {
        await using var server = await HotlineTestServer.StartAsync();
        var invoker = server.Channel.CreateCallInvoker();
        byte[] malformed = [0x0A, 0x05, 0x41];
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(20));

        var check = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, () =>
            invoker.AsyncUnaryCall(RawGrpc.Method(MethodType.Unary, "grpc.health.v1.Health", "Check"), null, options, malformed).ResponseAsync);
        using var watch = invoker.AsyncServerStreamingCall(RawGrpc.Method(MethodType.ServerStreaming, "grpc.health.v1.Health", "Watch"), null, options, malformed);
        var watched = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, () => watch.ResponseStream.MoveNext(CancellationToken.None));
        using var reflection = invoker.AsyncDuplexStreamingCall(
            RawGrpc.Method(MethodType.DuplexStreaming, "grpc.reflection.v1alpha.ServerReflection", "ServerReflectionInfo"), null, options);
        await reflection.RequestStream.WriteAsync(malformed).DefaultTimeout();
        await reflection.RequestStream.CompleteAsync().DefaultTimeout();
        var reflected = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, () => reflection.ResponseStream.MoveNext(CancellationToken.None));

        Assert.All([check, watched, reflected], ex => Assert.Equal("MALFORMED_MESSAGE", RpcAssert.ErrorInfo(ex).Reason));
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal))
        {
            gzip.Write(bytes);
        }
        return compressed.ToArray();
    }
}
