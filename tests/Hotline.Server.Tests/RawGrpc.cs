using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Rpc;
using Grpc.Core;

namespace Hotline.Server.Tests;

/// <summary>
/// Calls that no generated client would make: any bytes as a request message (through a
/// pass-through marshaller), or any bytes as the whole HTTP/2 request body, framing included.
/// </summary>
internal static class RawGrpc
{
    public static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    /// <summary>How long <see cref="PostAsync"/> waits for a response stream to end before calling it still open.</summary>
    private static readonly TimeSpan StreamPatience = TimeSpan.FromSeconds(2);

    public static Method<byte[], byte[]> Method(MethodType type, string service, string name) => new(type, service, name, Bytes, Bytes);

    /// <summary>One gRPC frame: the compressed flag, the length in big-endian, the message.</summary>
    public static byte[] Frame(byte[] message, byte flag = 0) => Frame(message, flag, (uint)message.Length);

    /// <summary>A frame whose header declares <paramref name="declaredLength"/>, whatever follows.</summary>
    public static byte[] Frame(byte[] message, byte flag, uint declaredLength)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), declaredLength);
        message.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>An HTTP client that speaks HTTP/2 without TLS (prior knowledge), as gRPC clients do.</summary>
    public static HttpClient NewHttpClient() => new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>POSTs <paramref name="body"/> to <paramref name="path"/> and reads the status wherever the server put it.</summary>
    public static async Task<RawOutcome> PostAsync(HttpClient client, Uri address, string path, byte[] body,
        string contentType = "application/grpc", IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new UriBuilder(address) { Path = path }.Uri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        // A trailers-only response carries the status in its headers; otherwise it is in the trailers,
        // after the body, which a streaming method may never end (a watch that parsed fine).
        var trailersOnly = response.Headers.Contains("grpc-status");
        if (!trailersOnly)
        {
            using var patience = new CancellationTokenSource(StreamPatience);
            try
            {
                await response.Content.ReadAsByteArrayAsync(patience.Token);
            }
            catch (OperationCanceledException) when (patience.IsCancellationRequested)
            {
                return new RawOutcome((int)response.StatusCode, null, null, StillStreaming: true);
            }
        }
        var fields = trailersOnly ? response.Headers : response.TrailingHeaders;
        var grpcStatus = fields.TryGetValues("grpc-status", out var statuses) ? int.Parse(statuses.First(), CultureInfo.InvariantCulture) : (int?)null;
        var details = fields.TryGetValues("grpc-status-details-bin", out var encoded)
            ? Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(Padded(encoded.First())))
            : null;
        return new RawOutcome((int)response.StatusCode, grpcStatus, details?.GetDetail<ErrorInfo>());
    }

    private static string Padded(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
}

/// <param name="HttpStatus">The HTTP status; 200 for every gRPC answer, refusals included.</param>
/// <param name="GrpcStatus">grpc-status, or null when the server sent none.</param>
/// <param name="Info">The google.rpc.ErrorInfo of the status details, when there is one.</param>
/// <param name="StillStreaming">The response was still streaming (and so had no status yet) when the caller stopped reading.</param>
internal sealed record RawOutcome(int HttpStatus, int? GrpcStatus, ErrorInfo? Info, bool StillStreaming = false)
{
    public StatusCode? Code => GrpcStatus is { } code ? (StatusCode)code : null;
}
