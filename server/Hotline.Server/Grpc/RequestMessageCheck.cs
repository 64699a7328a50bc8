using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Net.Compression;
using Hotline.Domain;
using Hotline.Server.Mapping;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Grpc;

/// <summary>
/// Reads the body of every unary and server-streaming call before grpc-dotnet does, and answers a
/// body that is not exactly one well-formed request message of the method with INVALID_ARGUMENT
/// MALFORMED_MESSAGE, or one past the size limit with RESOURCE_EXHAUSTED MESSAGE_TOO_LARGE, each
/// with ErrorInfo and counted by <see cref="RefusalLog"/>.
/// <para>
/// Why here and not in an interceptor or a marshaller: grpc-dotnet parses the request before any
/// interceptor runs and reports what it cannot parse as UNKNOWN, logging an error with its stack
/// trace, so anyone who can reach the port, with a token or without, could write kilobytes of log
/// per call. A request marshaller that throws a status instead (bound through a BindServiceMethod
/// attribute of our own on each service, which reaches neither health nor reflection) would fix
/// parse failures, but none of the framing errors grpc-dotnet meets before any marshaller runs: a
/// frame cut short or followed by more data is INTERNAL, a bad compressed flag UNKNOWN with a stack
/// trace, and a compressed message is inflated without any size limit; and grpc-dotnet would
/// still log each failure, stack included, at Information. This check knows every rule once, for
/// every service, and grpc-dotnet never sees a bad body, so it logs nothing about one at any level.
/// </para>
/// <para>
/// A body that passes is left unconsumed for grpc-dotnet, which parses it again: microseconds per
/// call. It waits for no more than the size limit plus the frame header, which stays below
/// Kestrel's HTTP/2 stream window, so the client is never left waiting for the window to open.
/// Client- and duplex-streaming calls (reflection's alone) are read message by message while the
/// handler runs; <see cref="DomainErrorInterceptor"/> maps their parse and framing failures
/// instead, and such a call may not compress its messages (UNIMPLEMENTED UNSUPPORTED_ENCODING),
/// because grpc-dotnet would inflate each one without a limit. A request that is not gRPC at all
/// (another content-type) is left to grpc-dotnet, which answers HTTP 415 as the gRPC spec asks.
/// </para>
/// One instance for the server (ASP.NET Core middleware); safe from any thread.
/// </summary>
public sealed class RequestMessageCheck(RequestDelegate next, IOptions<GrpcServiceOptions> grpcOptions, RefusalLog refusals)
{
    /// <summary>
    /// Requests carry at most 8,000 characters of text; anything near this limit is not a real request.
    /// This check holds a whole message before grpc-dotnet reads it, so this must
    /// stay below Kestrel's HTTP/2 stream window (768 KiB by default).
    /// </summary>
    public const int MaxReceiveMessageBytes = 256 * 1024;

    private const int HeaderSize = 5;
    private const string GrpcContentType = "application/grpc";
    private const string EncodingHeader = "grpc-encoding";

    private readonly ConcurrentDictionary<IMethod, Func<DeserializationContext, object>> _parsers = new();

    public async Task InvokeAsync(HttpContext context)
    {
        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        if (method is null)
        {
            await next(context);
            return;
        }
        if (!IsGrpcOverHttp2(context.Request))
        {
            // HTTP/JSON (transcoding) reads the whole body before any check; hold it to the same
            // size as a gRPC message, so an oversized body is neither buffered nor parsed.
            var maxJsonBytes = grpcOptions.Value.MaxReceiveMessageSize ?? MaxReceiveMessageBytes;
            if (context.Request.ContentLength > maxJsonBytes)
            {
                refusals.Refused(method.FullName, ErrorReasons.MessageTooLarge);
                await AnswerJsonAsync(context.Response, TooLarge(maxJsonBytes));
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            {
                bodyLimit.MaxRequestBodySize = maxJsonBytes;
            }
            await next(context);
            return;
        }
        Refusal? refusal;
        try
        {
            refusal = method.Type is MethodType.Unary or MethodType.ServerStreaming
                ? await CheckAsync(context, method)
                : CheckStreamEncoding(context.Request);
        }
        catch (Exception ex) when (ex is IOException || (ex is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            // The client reset the stream or went away (Kestrel's BadHttpRequestException is an
            // IOException too): nobody is left to answer.
            return;
        }
        if (refusal is null)
        {
            await next(context);
            return;
        }
        refusals.Refused(method.FullName, refusal.Reason);
        Answer(context.Response, refusal);
    }

    /// <summary>The INVALID_ARGUMENT MALFORMED_MESSAGE refusal, for <paramref name="problem"/> (a fixed phrase, never the body).</summary>
    public static DomainException Malformed(string problem) =>
        new(ErrorKind.InvalidArgument, ErrorReasons.MalformedMessage,
            $"The request is not one well-formed message of the method's request type (protobuf in one gRPC frame): {problem}. Nothing was done.");

    private async Task<Refusal?> CheckAsync(HttpContext context, IMethod method)
    {
        var reader = context.Request.BodyReader;
        var maxBytes = grpcOptions.Value.MaxReceiveMessageSize ?? MaxReceiveMessageBytes;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted);
            var body = read.Buffer;
            var shape = Inspect(body, read.IsCompleted, maxBytes);
            if (shape.Kind == BodyKind.Incomplete)
            {
                // Nothing consumed, all examined: the next read waits for more of the body.
                reader.AdvanceTo(body.Start, body.End);
                continue;
            }
            try
            {
                return Judge(shape, body, context.Request, method, maxBytes);
            }
            finally
            {
                // Nothing consumed or examined: grpc-dotnet reads the same body from the start.
                reader.AdvanceTo(body.Start);
            }
        }
    }

    private Refusal? Judge(BodyShape shape, in ReadOnlySequence<byte> body, HttpRequest request, IMethod method, int maxBytes)
    {
        switch (shape.Kind)
        {
            case BodyKind.TooLarge:
                return TooLarge(maxBytes);
            case BodyKind.Malformed:
                return Refusal.Of(Malformed(shape.Problem));
        }
        var payload = body.Slice(HeaderSize);
        if (shape.Compressed)
        {
            var encoding = request.Headers[EncodingHeader].ToString();
            if (encoding.Length == 0 || string.Equals(encoding, "identity", StringComparison.Ordinal))
            {
                return Refusal.Of(Malformed("the message is marked compressed but the call names no grpc-encoding"));
            }
            var provider = grpcOptions.Value.CompressionProviders.FirstOrDefault(p => string.Equals(p.EncodingName, encoding, StringComparison.Ordinal));
            if (provider is null)
            {
                return UnsupportedEncoding(["identity", .. grpcOptions.Value.CompressionProviders.Select(p => p.EncodingName)]);
            }
            var inflated = Inflate(provider, payload, maxBytes, out var tooLarge);
            if (tooLarge)
            {
                return TooLarge(maxBytes);
            }
            if (inflated is null)
            {
                return Refusal.Of(Malformed($"the message does not inflate as {encoding}"));
            }
            payload = new ReadOnlySequence<byte>(inflated);
        }
        try
        {
            ParserFor(method)(new Payload(payload));
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Refusal.Of(Malformed("the message does not parse as the method's request type"));
        }
    }

    private static Refusal? CheckStreamEncoding(HttpRequest request)
    {
        var encoding = request.Headers[EncodingHeader].ToString();
        return encoding.Length == 0 || string.Equals(encoding, "identity", StringComparison.Ordinal) ? null : UnsupportedEncoding(["identity"]);
    }

    /// <summary>What the body read so far amounts to, by the rules grpc-dotnet reads it with.</summary>
    private static BodyShape Inspect(in ReadOnlySequence<byte> body, bool complete, int maxMessageBytes)
    {
        if (body.Length < HeaderSize)
        {
            return !complete ? BodyShape.Incomplete
                : body.IsEmpty ? BodyShape.Bad("the body holds no message")
                : BodyShape.Bad("the body ends inside the frame header");
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        body.Slice(0, HeaderSize).CopyTo(header);
        if (header[0] > 1)
        {
            return BodyShape.Bad("the frame's compressed flag is neither 0 nor 1");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageBytes)
        {
            return BodyShape.Oversized;
        }
        var frameEnd = HeaderSize + (long)length;
        if (body.Length > frameEnd)
        {
            return BodyShape.Bad("more data follows the message, and this method takes exactly one");
        }
        if (!complete)
        {
            return BodyShape.Incomplete;
        }
        return body.Length < frameEnd ? BodyShape.Bad("the body ends before the message does") : BodyShape.Whole(compressed: header[0] == 1);
    }

    private static bool IsGrpcOverHttp2(HttpRequest request)
    {
        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            return false;
        }
        // As grpc-dotnet decides: application/grpc, alone or followed by ';' or '+'.
        var contentType = request.ContentType;
        return contentType is not null && contentType.StartsWith(GrpcContentType, StringComparison.OrdinalIgnoreCase)
            && (contentType.Length == GrpcContentType.Length || contentType[GrpcContentType.Length] is ';' or '+');
    }

    /// <summary>The inflated message; null when it does not inflate. Stops at <paramref name="maxBytes"/>, so a small bomb costs little.</summary>
    private static byte[]? Inflate(ICompressionProvider provider, in ReadOnlySequence<byte> compressed, int maxBytes, out bool tooLarge)
    {
        tooLarge = false;
        try
        {
            using var inflating = provider.CreateDecompressionStream(new MemoryStream(compressed.ToArray(), writable: false));
            using var inflated = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int count;
            while ((count = inflating.Read(chunk)) > 0)
            {
                if (inflated.Length + count > maxBytes)
                {
                    tooLarge = true;
                    return null;
                }
                inflated.Write(chunk, 0, count);
            }
            return inflated.ToArray();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The request parser of <paramref name="method"/>. Every method grpc-dotnet routes is a
    /// Method&lt;TRequest, TResponse&gt;, and TRequest is a class, so its deserializer is a
    /// Func&lt;DeserializationContext, object&gt; as it stands.
    /// </summary>
    private Func<DeserializationContext, object> ParserFor(IMethod method) => _parsers.GetOrAdd(method, static m =>
    {
        var marshaller = m.GetType().GetProperty(nameof(Method<object, object>.RequestMarshaller))?.GetValue(m);
        return marshaller?.GetType().GetProperty(nameof(Marshaller<object>.ContextualDeserializer))?.GetValue(marshaller) as Func<DeserializationContext, object>
            ?? throw new InvalidOperationException($"No request parser found for {m.FullName}.");
    });

    private static Refusal TooLarge(int maxBytes) => new(ErrorReasons.MessageTooLarge, ErrorTranslation.ToStatus(ErrorReasons.MessageTooLarge,
        StatusCode.ResourceExhausted, $"The request message is larger than the {maxBytes.ToString(CultureInfo.InvariantCulture)} bytes the server accepts (compressed or not). Nothing was done.",
        new Dictionary<string, string> { ["max_bytes"] = maxBytes.ToString(CultureInfo.InvariantCulture) }));

    /// <summary>UNIMPLEMENTED, naming the encodings this call may use in grpc-accept-encoding, as the gRPC compression spec asks.</summary>
    private static Refusal UnsupportedEncoding(IReadOnlyList<string> accepted)
    {
        var list = string.Join(',', accepted);
        return new(ErrorReasons.UnsupportedEncoding, ErrorTranslation.ToStatus(ErrorReasons.UnsupportedEncoding, StatusCode.Unimplemented,
            $"This call's messages may only be sent with grpc-encoding {list}. Nothing was done.",
            new Dictionary<string, string> { ["accepted"] = list }), list);
    }

    /// <summary>A trailers-only gRPC response: the status in the headers, no body.</summary>
    /// <summary>413 with the google.rpc.Status as JSON, as transcoding writes its errors.</summary>
    private static async Task AnswerJsonAsync(HttpResponse response, Refusal refusal)
    {
        response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(StatusJson.Format(refusal.Status));
    }

    private static readonly JsonFormatter StatusJson =
        new(JsonFormatter.Settings.Default.WithTypeRegistry(TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor)));

    private static void Answer(HttpResponse response, Refusal refusal)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcContentType;
        response.Headers["grpc-status"] = refusal.Status.Code.ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncoded(refusal.Status.Message);
        response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(refusal.Status.ToByteArray());
        if (refusal.AcceptedEncodings is { } accepted)
        {
            response.Headers["grpc-accept-encoding"] = accepted;
        }
    }

    /// <summary>grpc-message as the gRPC spec writes it: printable ASCII but '%' as is, every other UTF-8 byte as %XX.</summary>
    private static string PercentEncoded(string message)
    {
        var text = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return text.ToString();
    }

    private enum BodyKind
    {
        Incomplete,
        Whole,
        Malformed,
        TooLarge,
    }

    private readonly record struct BodyShape(BodyKind Kind, string Problem, bool Compressed)
    {
        public static BodyShape Incomplete => new(BodyKind.Incomplete, "", false);

        public static BodyShape Oversized => new(BodyKind.TooLarge, "", false);

        public static BodyShape Bad(string problem) => new(BodyKind.Malformed, problem, false);

        public static BodyShape Whole(bool compressed) => new(BodyKind.Whole, "", compressed);
    }

    private sealed record Refusal(string Reason, Google.Rpc.Status Status, string? AcceptedEncodings = null)
    {
        public static Refusal Of(DomainException error) => new(error.Reason, ErrorTranslation.ToStatus(error));
    }

    private sealed class Payload(ReadOnlySequence<byte> bytes) : DeserializationContext
    {
        public override int PayloadLength => checked((int)bytes.Length);

        public override byte[] PayloadAsNewBuffer() => bytes.ToArray();

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => bytes;
    }
}
