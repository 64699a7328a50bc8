using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Hotline.Contract.V1;
using ExtensionRequest = Grpc.Reflection.V1Alpha.ExtensionRequest;
using ReflectionRequest = Grpc.Reflection.V1Alpha.ServerReflectionRequest;
using ReflectionV1 = Grpc.Reflection.V1.ReflectionReflection;
using ReflectionV1Alpha = Grpc.Reflection.V1Alpha.ReflectionReflection;
using ServerReflection = Grpc.Reflection.V1Alpha.ServerReflection;

namespace Hotline.Server.Tests.Reliability;

/// <summary>One input: what kind it is, and the call that sends it and says what came back.</summary>
/// <param name="Send">Returns the gRPC status name, or <c>HTTP nnn</c> for a raw request answered with another HTTP status.</param>
internal sealed record FuzzInput(string Kind, Func<Task<string>> Send);

/// <summary>
/// Random and malformed inputs for every service, all drawn from one <see cref="Random"/>, so a
/// seed repeats the same sequence (names, etags and tokens the server issued differ per run; which
/// of them an input uses does not). Typed inputs go through the generated clients; raw ones as
/// bytes through a pass-through marshaller, or as whole HTTP/2 bodies, framing included.
/// </summary>
internal sealed class FuzzInputs(Random random, FuzzTargets targets)
{
    private static readonly string[] Accounts = [ServerProcess.Intake, ServerProcess.Operator, ServerProcess.Supervisor];

    /// <summary>Sent only without a token: bytes that happen to parse would end the session of the account that sent them.</summary>
    private const string EndMySession = nameof(OperatorService.OperatorServiceClient.EndMySession);

    private static readonly string[] Oddities =
    [
        "requests/", "requests/../../etc/passwd", "operators/me", "operators/", "me", "%s%s%n", "{0}{1}", "$.message", "' OR 1=1 --",
        "\u001b]0;owned\u0007", "\u202Eevil", "\uFEFF", "\u200B", "\0", "\r\n", "\u2028", "NaN", "-1", "9223372036854775808", "null", "[]", "{}",
        "Помогите", "مساعدة", "救命", "👩🏽‍🚒🏳️‍🌈", "e\u0301\u0301\u0301", "a\tb", "\u0085", "\u007F",
    ];

    private static readonly string[] FilterWords =
    [
        "state", "urgency", "channel", "assignee", "language", "tags", "number", "message", "=", "!=", "<", "~", "==", "AND", "OR", "and", "NOT",
        "(", ")", "NEW", "REQUEST_STATE_NEW", "ASSIGNED", "CLOSED", "IMMEDIATE_DANGER", "URGENCY_URGENT", "SMS", "me", "operators/anna", "\"\"", "\"", "ru",
    ];

    private static readonly string[] OrderWords = ["urgency", "create_time", "update_time", "number", "desc", "asc", "message", ",", " ", "DESC"];

    private static readonly string[] MaskPaths = ["urgency", "tags", "language", "region", "state", "message", "contact_handle", "name", "", "*", "request.urgency", "notes"];

    private static readonly string[] ContentTypes =
        ["application/grpc", "application/grpc+proto", "application/grpc+json", "application/grpc; charset=utf-8", "application/json", "text/plain", "application/grpcx"];

    private static readonly string[] Encodings = ["gzip", "deflate", "identity", "br", "snappy", "GZIP", ""];

    public FuzzInput Next() => random.Next(100) switch
    {
        < 22 => RawMessage(),
        < 32 => RawFrame(),
        < 44 => Submit(),
        < 56 => List(),
        < 76 => Mutation(),
        < 79 => Related(),
        < 83 => Watch(),
        < 87 => Operators(),
        < 91 => Audit(),
        < 95 => HealthCall(),
        _ => Reflection(),
    };

    private FuzzInput Submit() => Typed("SubmitRequest", () => targets.Intake.SubmitRequestAsync(RandomSubmission(), Credentials(ServerProcess.Intake)).ResponseAsync);

    private FuzzInput List() => Typed("ListRequests", () => targets.Requests.ListRequestsAsync(RandomList(), Credentials(ServerProcess.Operator)).ResponseAsync);

    private FuzzInput Related() => Typed("ListRelatedRequests", () => targets.Requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest
    {
        Name = Name(),
        PageSize = PageSize(),
        PageToken = PageToken(),
    }, Credentials(ServerProcess.Operator)).ResponseAsync);

    private FuzzInput Mutation()
    {
        var options = Credentials(random.Next(2) == 0 ? ServerProcess.Operator : ServerProcess.Supervisor);
        var requests = targets.Requests;
        return random.Next(8) switch
        {
            0 => Typed("GetRequest", () => requests.GetRequestAsync(new GetRequestRequest { Name = Name() }, options).ResponseAsync),
            1 => Typed("AssignRequest", () => requests.AssignRequestAsync(new AssignRequestRequest { Name = Name(), Assignee = Assignee(), Etag = Etag() }, options).ResponseAsync),
            2 => Typed("ReleaseRequest", () => requests.ReleaseRequestAsync(new ReleaseRequestRequest { Name = Name(), Etag = Etag() }, options).ResponseAsync),
            3 => Typed("AddNote", () => requests.AddNoteAsync(new AddNoteRequest { Name = Name(), Text = Text(), RequestId = Text(), Etag = Etag() }, options).ResponseAsync),
            4 or 5 => Typed("UpdateRequest", () => requests.UpdateRequestAsync(RandomUpdate(), options).ResponseAsync),
            6 => Typed("CloseRequest", () => requests.CloseRequestAsync(new CloseRequestRequest
            {
                Name = Name(),
                Resolution = (Resolution)random.Next(-2, 12),
                Comment = Text(),
                Etag = Etag(),
            }, options).ResponseAsync),
            _ => Typed("ReopenRequest", () => requests.ReopenRequestAsync(new ReopenRequestRequest { Name = Name(), Comment = Text(), Etag = Etag() }, options).ResponseAsync),
        };
    }

    private FuzzInput Watch()
    {
        var request = new WatchRequestsRequest { StartRevision = Pick([-1L, 0, 1, targets.Revision, targets.Revision + 1, long.MaxValue, long.MinValue, random.NextInt64()]) };
        var options = Credentials(ServerProcess.Operator);
        return Typed("WatchRequests", async () =>
        {
            using var call = targets.Requests.WatchRequests(request, options);
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
    }

    private FuzzInput Operators()
    {
        var options = Credentials(Pick(Accounts));
        return random.Next(2) == 0
            ? Typed("WhoAmI", () => targets.Operators.WhoAmIAsync(new WhoAmIRequest(), options).ResponseAsync)
            : Typed("ListOperators", () => targets.Operators.ListOperatorsAsync(new ListOperatorsRequest { ShowDisabled = random.Next(2) == 0 }, options).ResponseAsync);
    }

    private FuzzInput Audit()
    {
        var options = Credentials(ServerProcess.Supervisor);
        // Checking the chain reads all of it; now and then is enough.
        return random.Next(20) == 0
            ? Typed("VerifyAuditChain", () => targets.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), options).ResponseAsync)
            : Typed("ListAuditEvents", () => targets.Audit.ListAuditEventsAsync(new ListAuditEventsRequest
            {
                Request = random.Next(2) == 0 ? Name() : Text(),
                PageSize = PageSize(),
                PageToken = PageToken(),
            }, options).ResponseAsync);
    }

    private FuzzInput HealthCall()
    {
        var request = new HealthCheckRequest { Service = random.Next(3) == 0 ? "" : Text() };
        return random.Next(2) == 0
            ? Typed("Health.Check", () => targets.Health.CheckAsync(request, Deadline()).ResponseAsync)
            : Typed("Health.Watch", async () =>
            {
                using var call = targets.Health.Watch(request, Deadline());
                await call.ResponseStream.MoveNext(CancellationToken.None);
            });
    }

    private FuzzInput Reflection()
    {
        var request = new ReflectionRequest { Host = Text() };
        switch (random.Next(5))
        {
            case 0:
                request.ListServices = Text();
                break;
            case 1:
                request.FileByFilename = Text();
                break;
            case 2:
                request.FileContainingSymbol = random.Next(2) == 0 ? "hotline.v1." + Text() : Text();
                break;
            case 3:
                request.AllExtensionNumbersOfType = Text();
                break;
            default:
                request.FileContainingExtension = new ExtensionRequest { ContainingType = Text(), ExtensionNumber = random.Next() };
                break;
        }
        return Typed("ServerReflectionInfo", async () =>
        {
            using var call = targets.Reflection.ServerReflectionInfo(Deadline());
            await call.RequestStream.WriteAsync(request);
            await call.RequestStream.CompleteAsync();
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
    }

    /// <summary>Bytes that are probably not the method's request message, through the real gRPC client.</summary>
    private FuzzInput RawMessage()
    {
        var method = Pick(targets.Methods);
        var bytes = RawBytes();
        var options = method.Name == EndMySession ? Deadline() : Credentials(Pick(Accounts));
        var raw = RawGrpc.Method(method.IsClientStreaming && method.IsServerStreaming ? MethodType.DuplexStreaming
            : method.IsClientStreaming ? MethodType.ClientStreaming
            : method.IsServerStreaming ? MethodType.ServerStreaming
            : MethodType.Unary, method.Service.FullName, method.Name);
        var invoker = targets.Invoker;
        return Typed("raw " + method.Name, async () =>
        {
            switch (raw.Type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(raw, null, options, bytes).ResponseAsync;
                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(raw, null, options, bytes))
                    {
                        await call.ResponseStream.MoveNext(CancellationToken.None);
                    }
                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(raw, null, options))
                    {
                        await call.RequestStream.WriteAsync(bytes);
                        await call.RequestStream.CompleteAsync();
                        await call.ResponseStream.MoveNext(CancellationToken.None);
                    }
                    break;
            }
        });
    }

    /// <summary>A whole HTTP/2 body, framing and headers included, as no gRPC library would send it.</summary>
    private FuzzInput RawFrame()
    {
        var method = Pick(targets.Methods);
        var path = random.Next(10) == 0 ? "/" + PathText(random.Next(0, 60)) : $"/{method.Service.FullName}/{method.Name}";
        var message = RawBytes();
        byte[] body = random.Next(8) switch
        {
            0 => RawGrpc.Frame(message, (byte)random.Next(256)),
            1 => RawGrpc.Frame(message, 0, (uint)random.NextInt64(0, uint.MaxValue)),
            2 => RawGrpc.Frame(message)[..random.Next(0, message.Length + 5)],
            3 => [.. RawGrpc.Frame(message), .. RawGrpc.Frame(RawBytes())],
            4 => RawGrpc.Frame(message, 1),
            5 => RandomBytes(random.Next(0, 12)),
            _ => RawGrpc.Frame(message),
        };
        var contentType = random.Next(4) == 0 ? Pick(ContentTypes) : "application/grpc";
        var headers = new Dictionary<string, string>();
        if (random.Next(3) == 0)
        {
            headers["grpc-encoding"] = Pick(Encodings);
        }
        if (random.Next(2) == 0 && method.Name != EndMySession)
        {
            headers["authorization"] = "Bearer " + HotlineTestServer.TokenOf(Pick(Accounts));
        }
        return new FuzzInput("raw frame", async () =>
        {
            var outcome = await RawGrpc.PostAsync(targets.Http, targets.Address, path, body, contentType, headers);
            return outcome.HttpStatus != 200 ? $"HTTP {outcome.HttpStatus}"
                : outcome.Code is { } code ? code.ToString()
                : outcome.StillStreaming ? "OK, still streaming"
                : "200 without grpc-status";
        });
    }

    private byte[] RawBytes() => random.Next(6) switch
    {
        0 => RandomBytes(random.Next(0, 64)),
        1 => RandomBytes(300_000),
        _ => Mutate(Pick(targets.Seeds)),
    };

    private byte[] Mutate(byte[] valid)
    {
        var bytes = valid.ToList();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var at = random.Next(bytes.Count + 1);
            switch (random.Next(4))
            {
                case 0 when at < bytes.Count:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }
        return [.. bytes];
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public SubmitRequestRequest RandomSubmission() => new()
    {
        RequestId = random.Next(3) == 0 ? Text() : new Guid(RandomBytes(16)).ToString(),
        Channel = (Channel)random.Next(-2, 14),
        ContactHandle = Text(),
        Language = random.Next(4) == 0 ? Text() : Pick(["ru", "en", "uk", "", "xx-Latn", "EN", "ru-RU"]),
        Message = Text(),
        Region = Text(),
        Tags = { Enumerable.Range(0, random.Next(0, random.Next(2) == 0 ? 3 : 25)).Select(_ => Text()) },
        Urgency = (Urgency)random.Next(-2, 7),
    };

    public ListRequestsRequest RandomList() => new()
    {
        PageSize = PageSize(),
        PageToken = PageToken(),
        Filter = random.Next(4) switch
        {
            0 => "",
            1 => Text(),
            _ => string.Join(' ', Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(6) == 0 ? Text() : Pick(FilterWords))),
        },
        OrderBy = random.Next(4) switch
        {
            0 => "",
            1 => Text(),
            _ => string.Join(Pick([" ", ", ", ","]), Enumerable.Range(0, random.Next(1, 5)).Select(_ => Pick(OrderWords))),
        },
    };

    public UpdateRequestRequest RandomUpdate() => new()
    {
        Request = new HelpRequest
        {
            Name = Name(),
            Urgency = (Urgency)random.Next(-2, 7),
            State = (RequestState)random.Next(-2, 8),
            Tags = { Enumerable.Range(0, random.Next(0, 30)).Select(_ => Text()) },
            Language = Text(),
            Region = Text(),
            Message = Text(),
            Etag = Etag(),
        },
        UpdateMask = random.Next(8) == 0 ? null : new FieldMask { Paths = { Enumerable.Range(0, random.Next(0, 5)).Select(_ => random.Next(5) == 0 ? Text() : Pick(MaskPaths)) } },
    };

    private string Name() => random.Next(6) switch
    {
        0 or 1 => Pick(targets.Names),
        2 => Pick(targets.Names) + Text(),
        3 => "requests/" + Text(),
        _ => Text(),
    };

    private string Etag() => random.Next(5) switch
    {
        0 => "",
        1 => Pick(targets.Etags),
        2 => Pick(targets.Etags) + Text(),
        _ => Text(),
    };

    private string Assignee() => Pick(["", "operators/anna", "operators/lena", "operators/web-form", "operators/nobody", "me", "operators/" + Text(), Text()]);

    private int PageSize() => Pick([-1, 0, 1, 2, 100, 1_000, 1_001, int.MaxValue, int.MinValue, random.Next()]);

    private string PageToken()
    {
        var token = Pick(targets.PageTokens);
        return random.Next(8) switch
        {
            0 or 6 or 7 => "",
            1 => token,
            2 => token[..random.Next(token.Length + 1)],
            3 => token + Text(),
            4 when token.Length > 0 => token.Remove(random.Next(token.Length), 1).Insert(random.Next(token.Length - 1), Pick(["A", "_", "-", "=", "+", "/", "é"])),
            _ => Text(),
        };
    }

    /// <summary>A string worth sending where text goes: empty, short, huge, unicode of every kind, control characters, look-alikes of syntax.</summary>
    public string Text() => random.Next(48) switch
    {
        < 4 => "",
        < 12 => PrintableAscii(random.Next(1, 40)),
        < 16 => new string([.. Enumerable.Range(0, random.Next(1, 20)).Select(_ => (char)random.Next(0, 0x20))]),
        // Longer than any text field allows, yet within the message size limit.
        < 18 => new string('a', random.Next(8_001, 20_000)),
        // Past the message size limit on its own.
        < 19 => new string('a', random.Next(270_000, 300_000)),
        < 27 => UnicodeText(random.Next(1, 60)),
        < 37 => Pick(Oddities),
        _ => Text() + Pick(Oddities) + Text(),
    };

    private string PathText(int length) => new([.. Enumerable.Range(0, length).Select(_ => "abcXYZ019./-_~"[random.Next(14)])]);

    private string PrintableAscii(int length) => new([.. Enumerable.Range(0, length).Select(_ => (char)random.Next(0x21, 0x7F))]);

    /// <summary>Scalar values from across the planes (never lone surrogates, which no client can encode as UTF-8).</summary>
    private string UnicodeText(int length)
    {
        var text = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var scalar = random.Next(4) switch
            {
                0 => random.Next(0x80, 0x800),
                1 => random.Next(0x800, 0xD800),
                2 => random.Next(0xE000, 0x10000),
                _ => random.Next(0x10000, 0x110000),
            };
            text.Append(char.ConvertFromUtf32(scalar));
        }
        return text.ToString();
    }

    /// <summary>Usually the account's own token; sometimes none, a malformed one, another scheme or a stranger's token.</summary>
    private CallOptions Credentials(string account)
    {
        var headers = new Metadata();
        // Bad credentials are rare: past a few of them the address is rate limited, and every
        // later call without a valid token ends there instead of reaching deeper code.
        switch (random.Next(24))
        {
            case 0:
                break;
            case 1:
                headers.Add("authorization", "Bearer " + PrintableAscii(random.Next(0, 80)));
                break;
            case 2:
                headers.Add("authorization", "Basic YW5uYTpwYXNzd29yZA==");
                break;
            case 3:
                headers.Add("authorization", "Bearer " + Domain.AccessTokens.New());
                break;
            default:
                headers.Add("authorization", "Bearer " + HotlineTestServer.TokenOf(account));
                break;
        }
        return new CallOptions(headers, DateTime.UtcNow.AddSeconds(15));
    }

    private static CallOptions Deadline() => new(deadline: DateTime.UtcNow.AddSeconds(15));

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static FuzzInput Typed(string kind, Func<Task> call) => new(kind, async () =>
    {
        try
        {
            await call();
            return nameof(StatusCode.OK);
        }
        catch (RpcException ex)
        {
            return ex.StatusCode.ToString();
        }
    });
}

/// <summary>The server under fuzz: its clients, and names, etags and page tokens it issued, for inputs to start from.</summary>
internal sealed class FuzzTargets
{
    public required Uri Address { get; init; }
    public required GrpcChannel Channel { get; init; }
    public required HttpClient Http { get; init; }
    public required IReadOnlyList<string> Names { get; init; }
    public required IReadOnlyList<string> Etags { get; init; }
    public required IReadOnlyList<string> PageTokens { get; init; }
    public required long Revision { get; init; }

    /// <summary>Every method of every service the server maps, AdminService (not served over TCP) included.</summary>
    public IReadOnlyList<MethodDescriptor> Methods { get; } =
    [
        .. new[]
        {
            IntakeServiceReflection.Descriptor, RequestServiceReflection.Descriptor, OperatorServiceReflection.Descriptor,
            AuditServiceReflection.Descriptor, AdminServiceReflection.Descriptor, HealthReflection.Descriptor,
            ReflectionV1Alpha.Descriptor, ReflectionV1.Descriptor,
        }.SelectMany(file => file.Services).SelectMany(service => service.Methods),
    ];

    /// <summary>Serialized messages of several types, for mutations to start from: close to valid, so they reach deeper than noise.</summary>
    public List<byte[]> Seeds { get; } = [];

    public IntakeService.IntakeServiceClient Intake => new(Channel);
    public RequestService.RequestServiceClient Requests => new(Channel);
    public OperatorService.OperatorServiceClient Operators => new(Channel);
    public AuditService.AuditServiceClient Audit => new(Channel);
    public Health.HealthClient Health => new(Channel);
    public ServerReflection.ServerReflectionClient Reflection => new(Channel);
    public CallInvoker Invoker => Channel.CreateCallInvoker();

    public void AddSeeds(FuzzInputs inputs)
    {
        for (var i = 0; i < 20; i++)
        {
            Seeds.Add(inputs.RandomSubmission().ToByteArray());
            Seeds.Add(inputs.RandomList().ToByteArray());
            Seeds.Add(inputs.RandomUpdate().ToByteArray());
        }
        Seeds.Add(new WatchRequestsRequest { StartRevision = Revision }.ToByteArray());
        Seeds.Add(new ReflectionRequest { ListServices = "" }.ToByteArray());
        Seeds.Add([]);
        Seeds.RemoveAll(seed => seed.Length > 64 * 1024);
    }
}
